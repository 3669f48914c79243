"""Converter text: the Shanghai PDFs as pdfplumber, pdftotext -layout and PyMuPDF print them.

Every typed number a text lands is one its PDF lands (same table family, code, measure and
amount); what the text cannot place stays in cells and is counted. Values are the documents'.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from loaders.document import ParsedDocument, parse_bytes
from loaders.text import decode, read_text
from tests.conftest import DOCUMENTS, parse_path

CONVERTED = Path(__file__).parent / "fixtures" / "converted"
TEMPLATE = Path(__file__).parent / "fixtures" / "pdf"
DISCLOSURES = [
    "shanghai_finance_bureau_2025_unit_budget",
    "shanghai_putuo_finance_bureau_2025_dept_budget",
    "shanghai_putuo_party_social_work_dept_2024_dept_final_accounts",
    "shanghai_putuo_social_welfare_home_2024_unit_budget",
    "shanghai_putuo_wanli_street_2023_dept_budget",
]
CONVERTERS = {"pdfplumber": "spaced", "pdftotext-layout": "fixed_width", "pymupdf": "cell_per_line"}
TYPED = (
    "function_rows",
    "economic_rows",
    "revenue_rows",
    "summary_rows",
    "three_public_rows",
    "form_values",
    "project_rows",
    "operating_cost_rows",
)


@cache
def parsed(path: Path) -> ParsedDocument:
    return parse_path(path)


def pdf(base: str) -> ParsedDocument:
    source = DOCUMENTS / f"{base}.pdf"
    return parsed(source if source.exists() else TEMPLATE / f"{base}.pdf")


def text(base: str, converter: str) -> ParsedDocument:
    return parsed(CONVERTED / f"{base}.{converter}.txt")


def facts(doc: ParsedDocument, *datasets: str) -> Counter:
    """Typed numbers as (dataset, scope or kind, code or label, role, measure, amount)."""
    out: Counter = Counter()
    for dataset in datasets or TYPED:
        for row in doc.datasets.get(dataset, []):
            out[
                (
                    dataset,
                    row.get("budget_scope") or row.get("table_kind"),
                    row.get("function_code")
                    or row.get("dept_economic_code")
                    or row.get("item_label"),
                    row.get("row_role"),
                    row.get("measure"),
                    row["amount"],
                )
            ] += 1
    return out


def function_row(doc: ParsedDocument, code: str, measure: str, scope: str = "all_funds") -> list:
    return [
        r["amount"]
        for r in doc.datasets["function_rows"]
        if r["function_code"] == code and r["measure"] == measure and r["budget_scope"] == scope
    ]


@pytest.mark.parametrize("converter", CONVERTERS)
@pytest.mark.parametrize("base", DISCLOSURES)
def test_text_lands_only_numbers_its_pdf_lands(base: str, converter: str) -> None:
    printed = text(base, converter)
    extra = facts(printed) - facts(pdf(base))
    assert not extra, f"{base}.{converter}: numbers the PDF does not land: {list(extra)[:5]}"
    assert printed.document["source_format"] == CONVERTERS[converter]


@pytest.mark.parametrize("converter", CONVERTERS)
@pytest.mark.parametrize("base", DISCLOSURES)
def test_what_a_text_cannot_place_is_counted(base: str, converter: str) -> None:
    doc = text(base, converter)
    coverage = doc.datasets["coverage"]
    landed = sum(c["numeric_cells_landed"] for c in coverage)
    typed = sum(facts(doc).values())
    assert landed <= typed  # a cell lands once, or as two facts (a 机关运行经费 column)
    kept_out = sum(c["numeric_cells_printed"] - c["numeric_cells_landed"] for c in coverage)
    missing = sum((facts(pdf(base)) - facts(doc)).values())
    # every number the PDF types and the text does not is counted as printed and not landed
    assert kept_out > 0 and missing > 0
    for table in coverage:
        if table["numeric_cells_landed"] < table["numeric_cells_printed"]:
            assert table["status"] != "complete", table


@pytest.mark.parametrize("converter", ["pdfplumber", "pdftotext-layout"])
def test_function_and_economic_tables_land_whole(converter: str) -> None:
    """Putuo finance bureau: every function and economic number placed, as the PDF has it."""
    base = "shanghai_putuo_finance_bureau_2025_dept_budget"
    datasets = ("function_rows", "economic_rows")
    assert facts(text(base, converter), *datasets) == facts(pdf(base), *datasets)


@pytest.mark.parametrize("converter", ["pdfplumber", "pdftotext-layout"])
def test_two_amounts_under_three_columns_resolved_by_the_parents(converter: str) -> None:
    """``201 06 02 一般行政管理事务 100,000.00 100,000.00`` under 合计 | 基本支出 | 项目支出.

    By position the second amount would be 基本支出. The parent 20106 prints 基本支出
    16,093,326.00, all of it 2010601's, so 2010602's second amount is 项目支出.
    """
    doc = text("shanghai_putuo_finance_bureau_2025_dept_budget", converter)
    assert function_row(doc, "2010602", "project") == [Decimal("10.0000")]
    assert function_row(doc, "2010602", "basic") == []
    assert function_row(doc, "20106", "basic") == [Decimal("1609.3326")]
    derived = [
        n
        for n in doc.datasets["parse_notes"]
        if n["code"] == "columns_derived" and "100,000.00 as 项目支出" in n["message"]
    ]
    assert derived


def test_an_undecidable_row_stays_out() -> None:
    """Two equal amounts under 合计 and four revenue sources.

    The total is decided; the source (财政拨款收入 in the PDF) is not.
    """
    base = "shanghai_putuo_finance_bureau_2025_dept_budget"
    doc = text(base, "pdftotext-layout")
    revenue = [r for r in doc.datasets["revenue_rows"] if r["function_code"] == "2010602"]
    assert [(r["measure"], r["amount"]) for r in revenue] == [("total", Decimal("10.0000"))]
    in_pdf = {
        r["measure"] for r in pdf(base).datasets["revenue_rows"] if r["function_code"] == "2010602"
    }
    assert in_pdf == {"total", "fiscal_total"}
    line = revenue[0]["source_line"]
    notes = [n for n in doc.datasets["parse_notes"] if n["code"] == "columns_undecided"]
    assert any(n["source_line"] == line and "100,000.00" in n["message"] for n in notes)


def test_a_wrapped_header_cell_without_position_decides_nothing_it_could_move() -> None:
    """A header cell wrapped over two lines without a position.

    pdfplumber prints 事业单位 | 经营收入 on two lines with nothing saying where the column is:
    with it anywhere among the others, no revenue amount's column is certain.
    """
    doc = text("shanghai_putuo_finance_bureau_2025_dept_budget", "pdfplumber")
    assert doc.datasets["revenue_rows"] == []
    layout = text("shanghai_putuo_finance_bureau_2025_dept_budget", "pdftotext-layout")
    assert {r["measure"] for r in layout.datasets["revenue_rows"]} == {"total"}


def test_a_bare_code_is_never_an_amount() -> None:
    """The template prints ``31007`` on a line of its own (its name wraps): a code, no amount."""
    for converter in ("pdfplumber", "pdftotext-layout"):
        doc = text("shanghai_dept_final_accounts_template_2024", converter)
        amounts = {r["amount_as_printed"] for ds in TYPED for r in doc.datasets.get(ds, [])}
        assert "31007" not in amounts and not amounts


def test_cells_printed_one_per_line_are_not_typed() -> None:
    doc = text("shanghai_putuo_finance_bureau_2025_dept_budget", "pymupdf")
    assert not any(doc.datasets.get(ds) for ds in TYPED)
    reasons = {
        c["reason"] for c in doc.datasets["coverage"] if c["family"] == "expenditure_by_function"
    }
    assert any("one per line" in (r or "") for r in reasons)
    printed = {cell[6] for cell in doc.datasets["cells"]}  # (…, header path, value, …)
    assert "16,093,326.00" in printed  # the cells land as printed


def test_side_by_side_groups_are_not_placed_from_text() -> None:
    """The final accounts' 基本支出 table prints code | name | 决算数 twice in a row."""
    doc = text("shanghai_putuo_party_social_work_dept_2024_dept_final_accounts", "pdfplumber")
    assert doc.datasets["economic_rows"] == []
    notes = [n for n in doc.datasets["parse_notes"] if n["code"] == "packed_header"]
    assert any("side by side" in n["message"] for n in notes)


def test_readers_split_glued_amounts_and_keep_codes() -> None:
    from loaders.spaced import tokens

    assert tokens("31,214,205.80 一、一般公共服务支出") == ["31,214,205.80", "一、一般公共服务支出"]
    assert tokens("47,483,458一、社会保障和就业支出") == ["47,483,458", "一、社会保障和就业支出"]
    assert tokens("2010506统计管理 100,000") == ["2010506统计管理", "100,000"]


def test_dialect_is_read_from_the_content() -> None:
    for path in sorted(CONVERTED.glob("*.txt")):
        converter = path.name.split(".")[-2]
        document = read_text(decode(path.read_bytes(), path.name))
        assert document.source_format == CONVERTERS[converter], path.name


@pytest.mark.parametrize(
    "base",
    [
        "shanghai_putuo_finance_bureau_2025_dept_budget",
        "shanghai_putuo_social_welfare_home_2024_unit_budget",
    ],
)
def test_tab_separated_text_that_lost_its_empty_cells(base: str) -> None:
    """Pdfplumber's text split into cells at its spaces: tab-separated, every empty cell gone.

    Its header rows print fewer cells than the table has columns, so its rows are placed by
    arithmetic, never by position: it lands only numbers the PDF lands, and where a row prints
    two amounts under three columns, the one its parents say.
    """
    spaced = (CONVERTED / f"{base}.pdfplumber.txt").read_text(encoding="utf-8")
    tabbed = "\n".join(re.sub(r" +", "\t", line) for line in spaced.split("\n"))
    doc = parse_bytes(tabbed.encode("utf-8"), f"{base}.tsv.txt")
    assert doc.document["source_format"] == "tsv"
    assert not facts(doc) - facts(pdf(base))
    assert sum(facts(doc, "function_rows").values()) > 0
    if base == "shanghai_putuo_finance_bureau_2025_dept_budget":
        assert function_row(doc, "2010602", "project") == [Decimal("10.0000")]
        assert facts(doc, "function_rows") == facts(pdf(base), "function_rows")


def test_a_short_row_under_a_full_header_is_placed_by_the_total_row() -> None:
    """Tab-separated rows that print every cell, but one that lost its empty 人员经费 cell.

    The Putuo finance bureau's 基本支出 table as a tab-separated grid, with 30201 办公费
    (170,000.00 under 合计 and 公用经费) printed without its 0.00: its items add up to the 合计
    row's 公用经费 only with the second amount there.
    """
    spaced = CONVERTED / "shanghai_putuo_finance_bureau_2025_dept_budget.pdfplumber.txt"
    lines = spaced.read_text(encoding="utf-8").split("\n")
    start = next(
        i for i, line in enumerate(lines) if line.endswith("基本支出部门预算经济分类预算表")
    )
    grid = ["\t".join(["科目编码", "", "科目名称", "合计", "人员经费", "公用经费"])]
    for line in lines[start:]:
        words = line.split()
        if words and words[0] == "合计":
            grid.append("\t".join(["合计", "", "", *words[1:]]))
            break
        if len(words) >= 4 and words[0].isdigit() and words[1].isdigit():
            cells = [words[0], words[1], words[2], *words[3:]]
            if words[0] + words[1] == "30201":
                cells = [c for c in cells if c != "0.00"]  # the converter dropped it
            grid.append("\t".join(cells))
        elif len(words) >= 4 and words[0].isdigit():
            grid.append("\t".join([words[0], "", *words[1:]]))
    text = "上海市普陀区财政局2025年部门预算\n\n部门基本支出经济分类预算表\n单位：元\n" + "\n".join(
        grid
    )
    doc = parse_bytes(text.encode("utf-8"), "short_row.txt")
    office = [r for r in doc.datasets["economic_rows"] if r["dept_economic_code"] == "30201"]
    assert sorted((r["measure"], r["amount"]) for r in office) == [
        ("public", Decimal("17.0000")),
        ("total", Decimal("17.0000")),
    ]
    notes = [n for n in doc.datasets["parse_notes"] if n["code"] == "columns_derived"]
    assert any("170,000.00 as 公用经费" in n["message"] for n in notes)


def _landed(out: Path) -> set[str]:
    import pyarrow.parquet as pq

    return set(pq.read_table(out / "documents").column("source_file").to_pylist())


def test_a_pdf_and_its_text_are_one_disclosure(tmp_path: Path) -> None:
    """The PDF and its three conversions in one load: the PDF lands, the texts are reported."""
    from loaders.landing import load

    base = "shanghai_putuo_finance_bureau_2025_dept_budget"
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(DOCUMENTS / f"{base}.pdf", folder)
    for converter in CONVERTERS:
        shutil.copy(CONVERTED / f"{base}.{converter}.txt", folder)
    report = load([folder], tmp_path / "out", workers=1)
    assert report.ok
    assert _landed(tmp_path / "out") == {f"{base}.pdf"}
    for converter in CONVERTERS:
        assert any(
            s.startswith(f"{base}.{converter}.txt: the same disclosure as {base}.pdf")
            for s in report.skipped
        ), report.skipped


def test_a_text_landed_first_gives_way_to_its_pdf(tmp_path: Path) -> None:
    from loaders.landing import load

    base = "shanghai_putuo_finance_bureau_2025_dept_budget"
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    shutil.copy(CONVERTED / f"{base}.pdftotext-layout.txt", first)
    shutil.copy(DOCUMENTS / f"{base}.pdf", second)
    out = tmp_path / "out"
    assert load([first], out, workers=1).ok
    assert _landed(out) == {f"{base}.pdftotext-layout.txt"}
    report = load([second], out, workers=1)
    assert _landed(out) == {f"{base}.pdf"}
    assert len(report.removed) == 1


def test_two_different_disclosures_of_one_key_both_land(tmp_path: Path) -> None:
    """A text whose numbers are not the PDF's (one amount changed) is another disclosure."""
    from loaders.landing import load

    base = "shanghai_putuo_finance_bureau_2025_dept_budget"
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(DOCUMENTS / f"{base}.pdf", folder)
    text = (CONVERTED / f"{base}.pdftotext-layout.txt").read_text(encoding="utf-8")
    assert text.count("1,666,600.00") >= 2
    (folder / "revised.txt").write_text(text.replace("1,666,600.00", "1,666,700.00"), "utf-8")
    load([folder], tmp_path / "out", workers=1)
    assert _landed(tmp_path / "out") == {f"{base}.pdf", "revised.txt"}
