"""The PDF reader on real disclosures (tests/fixtures/pdf), values read from the printed pages."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from loaders.document import ParsedDocument, parse_bytes, read_document
from loaders.errors import InputError
from loaders.interpret import three_public_column
from loaders.landing import load
from loaders.segment import header_paths, header_row_count, segment
from loaders.settings import FORM_VALUE_FAMILIES

# the real disclosures are in the documents folder the build loads; the empty official template
# is a test fixture only (it is not a disclosure)
DOCUMENTS = Path(__file__).resolve().parent.parent / "data" / "documents"
TEMPLATE = (
    Path(__file__).resolve().parent
    / "fixtures"
    / "pdf"
    / "shanghai_dept_final_accounts_template_2024.pdf"
)


def _pdfs() -> list[Path]:
    return sorted(DOCUMENTS.glob("*.pdf"))


def _classification_table(coverage: dict) -> bool:
    """A typed table of a classification family (the form families are tested on their own)."""
    return coverage["status"] != "not_typed" and coverage["family"] not in FORM_VALUE_FAMILIES


def _parse(name: str) -> ParsedDocument:
    return parse_bytes((DOCUMENTS / name).read_bytes(), name)


@pytest.fixture(scope="module")
def wanli() -> ParsedDocument:
    return _parse("shanghai_putuo_wanli_street_2023_dept_budget.pdf")


def _one(doc: ParsedDocument, dataset: str, **where) -> dict:
    found = [r for r in doc.datasets[dataset] if all(r.get(k) == v for k, v in where.items())]
    assert len(found) == 1, f"expected one row for {where}, found {len(found)}"
    return found[0]


def _function_row_by_measure(doc: ParsedDocument, code: str, page: int) -> dict[str, dict]:
    """The function rows one printed row lands (one per amount column), by measure."""
    return {
        r["measure"]: r
        for r in doc.datasets["function_rows"]
        if r["function_code"] == code and r["source_page"] == page
    }


def test_a_split_function_code_in_yuan_lands_in_wanyuan_with_its_page(wanli):
    # p.17, 2023年部门支出预算总表: 212 | 01 | 01 | 行政运行 | 18,373,632 (合计)
    row = _one(
        wanli, "function_rows", budget_scope="all_funds", function_code="2120101", measure="total"
    )
    assert row["code_as_printed"] == "212 01 01"
    assert row["function_name"] == "行政运行"
    assert row["amount_as_printed"] == "18,373,632"
    assert row["amount"] == Decimal("1837.3632")
    assert row["source_page"] == 17


def test_an_economic_row_split_over_two_code_cells(wanli):
    # p.26, 一般公共预算基本支出部门预算经济分类预算表: 301 | 01 | 基本工资 | 5,668,416
    row = _one(wanli, "economic_rows", dept_economic_code="30101", measure="total")
    assert (row["dept_code_as_printed"], row["dept_economic_name"]) == ("301 01", "基本工资")
    assert row["amount"] == Decimal("566.8416")
    assert row["source_page"] == 26


def test_a_name_wrapped_inside_its_cell_is_one_row(wanli):
    # p.16: "机关事业单位基本养老保险缴费支" / "出" in one ruled cell, amounts on the middle line
    row = _one(
        wanli, "function_rows", budget_scope="all_funds", function_code="2080505", measure="total"
    )
    assert row["function_name"] == "机关事业单位基本养老保险缴费支出"
    assert row["amount_as_printed"] == "4,412,547"
    assert row["source_page"] == 16


def test_units_are_read_per_table_and_never_taken_for_the_department(wanli):
    tables = {t["family"]: t for t in wanli.datasets["tables"]}
    # "编制部门：上海市普陀区人民政府万里街道办事处 单位：元" on one line
    assert tables["expenditure_by_function"]["unit_as_printed"] == "元"
    assert (
        tables["expenditure_by_function"]["department_line"] == "上海市普陀区人民政府万里街道办事处"
    )
    # the 三公 table alone prints 单位:万元
    assert tables["three_public"]["unit_as_printed"] == "万元"
    assert tables["three_public"]["unit_factor"] == "1"


def test_three_public_costs_in_wanyuan_and_the_operating_cost_column_is_no_category(wanli):
    # p.28: 合计 22.91, 公务接待费 1.35, 运行费 21.56; 2023年机关运行经费预算数 786.09 beside them
    rows = {r["category"]: r for r in wanli.datasets["three_public_rows"]}
    assert rows["total"]["amount"] == Decimal("22.91")
    assert rows["official_reception"]["amount"] == Decimal("1.35")
    assert rows["vehicle_operation"]["amount"] == Decimal("21.56")
    assert rows["vehicle_operation"]["source_page"] == 28
    assert "786.09" not in {r["amount_as_printed"] for r in wanli.datasets["three_public_rows"]}
    # it lands as the operating cost it is
    operating = _one(wanli, "operating_cost_rows", amount_as_printed="786.09")
    assert (operating["amount"], operating["source_page"]) == (Decimal("786.09"), 28)
    assert "机关运行经费" in operating["row_label"]


def test_a_table_continued_over_pages_without_its_header_is_one_table(wanli):
    # 2023年部门收入预算总表 starts on p.11 and goes on over p.12-14 without title or header
    (revenue,) = [t for t in wanli.datasets["tables"] if t["family"] == "revenue"]
    pages = {r["source_page"] for r in wanli.datasets["revenue_rows"]}
    assert pages == {11, 12, 13, 14}
    assert revenue["title_as_printed"] == "2023年部门收入预算总表"


def test_cells_keep_their_page_and_bounding_box():
    doc = _parse("beijing_finance_bureau_2026_dept_budget_part2_tables.pdf")
    # 预算01表 收支总表, p.1: 一、一般公共预算拨款收入 44,156.640120 (six decimals)
    (cell,) = [c for c in doc.datasets["cells"] if c[6] == "44,156.640120" and c[8] == 1]
    x0, top, x1, bottom = cell[9:13]
    assert 0 < x0 < x1 < 842 and 0 < top < bottom < 595
    row = _one(
        doc,
        "summary_rows",
        table_kind="department_summary",
        side="revenue",
        source_page=1,
        amount_as_printed="44,156.640120",
    )
    assert row["item_label"].replace(" ", "") == "一、一般公共预算拨款收入"
    assert row["amount"] == Decimal("44156.640120")


def test_a_unit_budget_is_a_unit_level_disclosure():
    doc = _parse("shanghai_finance_bureau_2025_unit_budget.pdf").document
    assert doc["department_name"] == "上海市财政局"  # 预算单位：上海市财政局
    assert (doc["fiscal_year"], doc["disclosure_kind"], doc["disclosure_level"]) == (
        2025,
        "budget",
        "unit",
    )
    assert doc["source_format"] == "pdf" and doc["page_count"] == 21


def test_a_department_budget_is_named_by_its_cover_not_its_title():
    doc = _parse("shanghai_putuo_finance_bureau_2025_dept_budget.pdf").document
    # cover: 上海市普陀区2025年区级部门预算 / 预算主管部门：上海市普陀区财政局
    assert doc["department_name"] == "上海市普陀区财政局"
    assert doc["disclosure_level"] == "department"


def test_beijings_two_files_name_the_same_disclosure():
    narrative = _parse("beijing_finance_bureau_2026_dept_budget_part1_narrative.pdf").document
    tables = _parse("beijing_finance_bureau_2026_dept_budget_part2_tables.pdf").document
    key = ("department_name", "fiscal_year", "disclosure_kind", "disclosure_level")
    assert [narrative[k] for k in key] == [tables[k] for k in key]
    assert [tables[k] for k in key] == ["北京市财政局", 2026, "budget", "department"]
    assert narrative["tables_found"] == 0 and tables["tables_recognised"] > 0


def test_xians_tables_in_yuan():
    doc = _parse("xian_housing_construction_bureau_2022_dept_budget.pdf")
    assert doc.document["fiscal_year"] == 2022  # the upstream file name said 2026
    row = _one(doc, "function_rows", row_role="total", measure="total", source_page=38)
    assert row["amount_as_printed"] == "2271233740.03"
    assert row["amount"] == Decimal("227123.374003")


def test_final_accounts_tables_printing_actuals_are_typed():
    doc = _parse("shanghai_putuo_party_social_work_dept_2024_dept_final_accounts.pdf")
    assert doc.document["disclosure_kind"] == "final_accounts"
    assert doc.document["department_name"] == "中共上海市普陀区委社会工作部"  # title over 3 lines
    # p.8 支出决算表: 201 一般公共服务支出 本年支出合计 264.87 = 基本支出 62.63 + 项目支出 202.24,
    # its 上缴上级支出 / 经营支出 / 对附属单位补助支出 columns printed blank
    rows = _function_row_by_measure(doc, "201", page=8)
    assert (rows["total"]["amount"], rows["basic"]["amount"], rows["project"]["amount"]) == (
        Decimal("264.87"),
        Decimal("62.63"),
        Decimal("202.24"),
    )
    # 收入支出决算总表: the 决算数 column is the amount
    (revenue,) = [
        r
        for r in doc.datasets["summary_rows"]
        if r["side"] == "revenue"
        and r["source_line"] == 57
        and r["table_kind"] == "department_summary"
    ]
    assert (revenue["measure"], revenue["amount"]) == ("amount", Decimal("307.82"))
    # p.13 基本支出决算表 prints two code | name | 决算数 groups side by side, 人员经费 classes
    # on the left, 公用经费 classes on the right: each group lands in its own rows
    economic = {
        (r["source_line"], r["dept_economic_code"] or r["dept_economic_name"]): r
        for r in doc.datasets["economic_rows"]
        if r["table_kind"] == "basic_by_economic"
    }
    by_code = {code: r for (_, code), r in economic.items()}
    printed = {
        "301": ("95.36", 1),  # 工资福利支出, left
        "30101": ("14.12", 1),  # 基本工资, left, on the line of 30201
        "30102": ("39.72", 1),
        "302": ("10.23", 2),  # 商品和服务支出, right, on the line of 301
        "30201": ("3.78", 2),  # 办公费
        "30211": ("1.15", 2),  # 差旅费
        "30213": ("0.02", 2),  # 维修（护）费
        "人员经费合计": ("95.36", 1),  # each group's total row
        "公用经费合计": ("10.23", 2),
    }
    for code, (amount, group) in printed.items():
        row = by_code[code]
        assert (row["amount"], row["column_group"], row["source_page"]) == (
            Decimal(amount),
            group,
            13,
        ), code
    assert by_code["30101"]["source_line"] == by_code["30201"]["source_line"]
    assert by_code["人员经费合计"]["row_role"] == by_code["公用经费合计"]["row_role"] == "total"
    # the right group runs on below the left one (资本性支出 310 and its items)
    assert by_code["31099"]["column_group"] == 2 and "31099" not in {
        r["dept_economic_code"] for r in economic.values() if r["column_group"] == 1
    }
    coverage = {c["family"]: c for c in doc.datasets["coverage"]}
    basic = coverage["basic_by_economic"]
    assert basic["numeric_cells_printed"] == basic["numeric_cells_landed"] == 67
    assert basic["numeric_cells_landed_twice"] == 0


FA = "shanghai_putuo_party_social_work_dept_2024_dept_final_accounts.pdf"
# p.14 财政拨款“三公”经费支出决算表: 预算数 | 决算数 under each category and the vehicle parts
THREE_PUBLIC_BASES = [
    (category, basis)
    for category in (
        "total",
        "outbound_travel",
        "vehicle_total",
        "vehicle_purchase",
        "vehicle_operation",
        "official_reception",
    )
    for basis in ("budget", "final")
]


def _three_public_table(document):
    (table,) = [t for t in segment(document) if t.family == "three_public"]
    rows = [r for r in table.rows if not r.repeated]
    return table, rows[: header_row_count(rows)]


def test_a_final_accounts_three_public_header_reads_each_column_basis():
    table, header = _three_public_table(read_document((DOCUMENTS / FA).read_bytes(), FA))
    paths = header_paths(header, max(len(r.cells) for r in header))
    assert [three_public_column(path) for path in paths] == THREE_PUBLIC_BASES
    assert header[0].page == 14
    # the table prints its header and no row (本年度没有…): nothing typed, so no zero either
    doc = _parse(FA)
    assert not doc.datasets["three_public_rows"]


def test_a_final_accounts_three_public_table_lands_budget_and_actual_apart():
    """The table as the document prints it, as tab-separated text, with one row filled in.

    The real p.14 table is empty (the department had no 三公 spending); the cover title, the
    table's title and its three header rows are copied from it and one 合计 row is added
    (amounts chosen so that the totals hold), to check that each cell lands with its category
    and basis.
    """
    document = read_document((DOCUMENTS / FA).read_bytes(), FA)
    table, header = _three_public_table(document)
    cover = [line.text for line in document.lines if line.page == 1]  # the title, 3 lines
    amounts = ["10.00", "8.50", "2.00", "1.50", "6.00", "5.00"]
    amounts += ["0.00", "0.00", "6.00", "5.00", "2.00", "2.00"]
    text = "\n".join(
        [
            *cover,
            table.title_as_printed,
            "单位：万元",
            *("\t".join(row.cells) for row in header),
            "\t".join(amounts),
        ]
    )
    doc = parse_bytes(text.encode(), "three_public_final_accounts.txt")
    assert doc.document["disclosure_kind"] == "final_accounts"
    landed = {
        (r["category"], r["amount_basis"]): r["amount"] for r in doc.datasets["three_public_rows"]
    }
    assert list(landed) == THREE_PUBLIC_BASES
    assert [str(a) for a in landed.values()] == amounts
    (coverage,) = doc.datasets["coverage"]
    assert coverage["numeric_cells_printed"] == coverage["numeric_cells_landed"] == 12


def test_a_pdf_without_a_text_layer_is_rejected_naming_ocr():
    pdf = pdfium.PdfDocument.new()
    pdf.new_page(595, 842)
    buffer = io.BytesIO()
    pdf.save(buffer)
    with pytest.raises(InputError, match="image-only PDF: none of its 1 pages has a text layer"):
        read_document(buffer.getvalue(), "scan.pdf")


def test_a_truncated_pdf_is_rejected_and_the_batch_goes_on(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    good = (DOCUMENTS / "shanghai_putuo_social_welfare_home_2024_unit_budget.pdf").read_bytes()
    (folder / "good.pdf").write_bytes(good)
    (folder / "cut.pdf").write_bytes(good[: len(good) // 3])
    report = load([folder], tmp_path / "out", workers=1, gate=False)
    assert [d["source_file"] for d in report.loaded] == ["good.pdf"]
    (rejected,) = report.rejected
    assert rejected.message.startswith("cut.pdf: ")
    assert "PDF" in rejected.message


def test_the_official_template_is_read_but_never_typed():
    doc = parse_bytes(TEMPLATE.read_bytes(), TEMPLATE.name)
    assert doc.document["department_name"] == "上海市XX局"
    assert doc.document["disclosure_kind"] == "final_accounts"
    assert not any(doc.datasets[d] for d in ("function_rows", "summary_rows", "economic_rows"))


def test_the_template_is_not_among_the_documents_the_build_loads():
    names = {parse_bytes(p.read_bytes(), p.name).document["department_name"] for p in _pdfs()}
    assert "上海市XX局" not in names and len(names) == 11


def _encrypted_pdf() -> bytes:
    """A one-page PDF under the standard security handler, whose empty password does not open."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <"
        + b"11" * 32
        + b"> /U <"
        + b"22" * 32
        + b"> /P -4 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 4 0 R /ID [<%s> <%s>] >>\n" % (
        len(objects) + 1,
        b"ab" * 16,
        b"ab" * 16,
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def test_an_encrypted_pdf_is_rejected_naming_the_password():
    with pytest.raises(InputError, match="encrypted PDF: it needs a password"):
        read_document(_encrypted_pdf(), "secret.pdf")


@pytest.mark.parametrize("path", [*_pdfs(), TEMPLATE], ids=lambda p: p.stem)
def test_every_table_of_the_pdfs_is_recognised(path):
    doc = parse_bytes(path.read_bytes(), path.name)
    families = {t["table_id"]: t["family"] for t in doc.datasets["tables"]}
    assert "unrecognised" not in families.values(), families
    # every table is accounted for in coverage, typed or not
    assert {c["table_id"] for c in doc.datasets["coverage"]} == set(families)


@pytest.mark.parametrize(
    "name",
    [
        "shanghai_putuo_wanli_street_2023_dept_budget.pdf",
        "shanghai_putuo_finance_bureau_2025_dept_budget.pdf",
        "shanghai_finance_bureau_2025_unit_budget.pdf",
    ],
)
def test_the_typed_tables_of_the_shanghai_budgets_are_complete(name):
    doc = _parse(name)
    typed = [c for c in doc.datasets["coverage"] if _classification_table(c)]
    assert len(typed) >= 9  # the nine tables of the template
    assert [c for c in typed if c["status"] not in ("complete", "empty")] == []


def test_a_misprinted_class_cell_keeps_its_row_in_cells():
    # the welfare home prints 210 卫生健康支出, 210 11 行政事业单位医疗, then
    # "7 | 11 | 02 事业单位医疗" (p.9 and p.11, 503,724 元 in 合计 and 基本支出): joined that is
    # 71102, no code under 210;
    # which digits are missing would be a guess, so the row's two amounts stay in cells
    doc = _parse("shanghai_putuo_social_welfare_home_2024_unit_budget.pdf")
    codes = {r["function_code"] for r in doc.datasets["function_rows"]}
    assert "71102" not in codes and "21011" in codes
    notes = [n for n in doc.datasets["parse_notes"] if n["code"] == "malformed_code"]
    assert len(notes) == 2 and all("'7 11 02'" in n["message"] for n in notes)
    typed = [c for c in doc.datasets["coverage"] if _classification_table(c)]
    assert len(typed) >= 9
    short = {
        c["table_id"]: c["numeric_cells_printed"] - c["numeric_cells_landed"]
        for c in typed
        if c["status"] not in ("complete", "empty")
    }
    assert sorted(short.values()) == [2, 2]  # the row's 合计 and 基本支出, in its two tables
    assert {n["table_id"] for n in notes} == set(short)


def test_changsha_codes_in_three_columns_and_blank_cells():
    doc = _parse("changsha_petition_bureau_2026_dept_budget.pdf")
    # p.14 2026年部门支出总体情况表: 201 | 40 | 04 | 信访业务 | 417.41 | (blank) | 417.41
    rows = _function_row_by_measure(doc, "2014004", page=14)
    assert set(rows) == {"total", "project"}  # the blank 基本支出 cell lands nothing
    assert rows["project"]["amount"] == Decimal("417.41")
    assert rows["project"]["code_as_printed"] == "201 40 04"
    # the 款 row above it, | 40 | | 信访事务 under 201, is section 20140 (类 from the row above)
    section = _function_row_by_measure(doc, "20140", page=14)
    assert (section["total"]["row_role"], section["total"]["code_as_printed"]) == ("section", "40")
    assert section["total"]["amount"] == Decimal("1935.36")
    # p.20: 三公 by column, a 合计 row and the department's row (a breakdown of it)
    three = {(r["category"], r["measure"]): r["amount"] for r in doc.datasets["three_public_rows"]}
    assert three[("total", "amount")] == Decimal("8.00")
    assert three[("official_reception", "amount")] == Decimal("3.00")
    assert three[("vehicle_operation", "amount")] == Decimal("5.00")
    assert three[("total", "by_unit")] == Decimal("8.00")


def test_hangzhou_two_sided_summary_and_three_public_costs():
    doc = _parse("hangzhou_justice_bureau_2026_dept_budget.pdf")
    # p.23 表1 收支预算总表: 行政运行 (under 监狱) 48,375.27 on the expenditure side
    row = _one(
        doc, "summary_rows", side="expenditure", amount_as_printed="48,375.27", source_page=23
    )
    assert row["item_label"] == "行政运行" and row["amount"] == Decimal("48375.27")
    # p.34 表7: the 合计 row of the 三公 table; 因公出国(境)费用 is printed blank
    three = {
        r["category"]: r["amount"]
        for r in doc.datasets["three_public_rows"]
        if r["measure"] == "amount"
    }
    assert three == {
        "total": Decimal("413.68"),
        "vehicle_total": Decimal("339.68"),
        "vehicle_purchase": Decimal("151.68"),
        "vehicle_operation": Decimal("188.00"),
        "official_reception": Decimal("74.00"),
    }


def test_shenzhen_summary_continued_on_the_next_page():
    doc = _parse("shenzhen_finance_bureau_2026_dept_budget.pdf")
    assert doc.document["department_name"] == "深圳市财政局(本级)"
    # p.17, first row of the continuation page of 收支总表 (p.16-18)
    row = _one(doc, "summary_rows", side="expenditure", amount_as_printed="626.55", source_page=17)
    assert row["item_label"] == "机关事业单位基本养老保险缴费支出"
    (summary,) = [t for t in doc.datasets["tables"] if t["title"] == "收支总表"]
    assert summary["n_parts"] == 3  # one table over pages 16-18, title and header repeated
    pages = {
        r["source_page"]
        for r in doc.datasets["summary_rows"]
        if r["table_id"] == summary["table_id"]
    }
    assert pages == {16, 17, 18}


def test_southwest_university_summary_totals():
    doc = _parse("southwest_university_2023_dept_budget.pdf")
    # p.7 收支预算总表: 收 入 总 计 557,259.13 = 支 出 总 计 557,259.13
    sides = {
        r["side"]: r["amount"]
        for r in doc.datasets["summary_rows"]
        if r["amount_as_printed"] == "557,259.13"
    }
    assert sides == {"revenue": Decimal("557259.13"), "expenditure": Decimal("557259.13")}


BUDGET_PDFS_BEYOND_SHANGHAI = [
    "beijing_finance_bureau_2026_dept_budget_part2_tables.pdf",
    "changsha_petition_bureau_2026_dept_budget.pdf",
    "hangzhou_justice_bureau_2026_dept_budget.pdf",
    "shenzhen_finance_bureau_2026_dept_budget.pdf",
    "southwest_university_2023_dept_budget.pdf",
    "xian_housing_construction_bureau_2022_dept_budget.pdf",
]


@pytest.mark.parametrize("name", BUDGET_PDFS_BEYOND_SHANGHAI)
def test_the_typed_tables_of_the_other_budget_templates_are_complete(name):
    # every numeric cell of a typed table lands in a typed row, except another year's figures
    # (kept in cells with that reason)
    doc = _parse(name)
    typed = [c for c in doc.datasets["coverage"] if _classification_table(c)]
    assert typed
    open_ = [
        (c["table_id"], c["family"], c["reason"])
        for c in typed
        if c["status"] not in ("complete", "empty")
        and c["reason"] != "another year's figures or a change, kept in cells only"
    ]
    assert open_ == []


def test_of_which_columns_land_as_parts_of_their_column():
    # Changsha p.7 部门收入总体情况表: 本级财政拨款 | 其中:经费拨款
    doc = _parse("changsha_petition_bureau_2026_dept_budget.pdf")
    parts = [r for r in doc.datasets["revenue_rows"] if r["measure"] == "of_which"]
    assert parts and all(r["measure_header"].endswith("其中:经费拨款") for r in parts)
    # Beijing 预算05: 项目支出 | 扣除基建项目后预算数
    doc = _parse("beijing_finance_bureau_2026_dept_budget_part2_tables.pdf")
    headers = {
        r["measure_header"] for r in doc.datasets["function_rows"] if r["measure"] == "of_which"
    }
    assert headers == {"预算数/项目支出/扣除基建项目后预算数"}


def test_southwest_university_revenue_from_the_non_fiscal_balance():
    doc = _parse("southwest_university_2023_dept_budget.pdf")
    rows = [r for r in doc.datasets["revenue_rows"] if r["measure"] == "nonfiscal_balance_used"]
    assert rows and {r["measure_header"] for r in rows} == {"使用非财政拨款结余"}


def test_hangzhou_project_funding_split_by_scope():
    # p.37 表10: 杭州市司法局 | 法治杭州建设 | 69.00 | 69.00 (财政拨款收入/一般公共预算)
    doc = _parse("hangzhou_justice_bureau_2026_dept_budget.pdf")
    row = _one(doc, "project_rows", project_name="法治杭州建设", measure="gpb")
    assert row["amount"] == Decimal("69.00") and row["source_page"] == 37


def test_shenzhen_three_public_costs_by_scope_and_year():
    doc = _parse("shenzhen_finance_bureau_2026_dept_budget.pdf")
    # p.38 表9: rows 2025年 | 2026年 | 增减变化金额; only the 2026 row is the budget
    rows = doc.datasets["three_public_rows"]
    assert {r["source_line"] for r in rows} == {
        next(r["source_line"] for r in rows if r["amount_as_printed"] == "58.46")
    }
    by = {(r["category"], r["measure"]): r["amount"] for r in rows}
    assert by[("outbound_travel", "gpb")] == Decimal("41.60")
    assert by[("official_reception", "gpb")] == Decimal("9.46")
    assert by[("vehicle_operation", "gpb")] == Decimal("7.40")
    assert by[("vehicle_purchase", "gpb")] == Decimal("0.00")
    notes = [n for n in doc.datasets["parse_notes"] if n["code"] == "other_year_row"]
    assert len(notes) == 2


def test_shenzhen_header_wrapped_under_a_spanning_cell():
    # p.23, 支出总表 continued: 2026年政府采购项目 over 小计 | 其中…中小企业 | 其中…小型、微型企业;
    # 2210203 购房补贴 2,220.22 (支出总计, 基本支出)
    doc = _parse("shenzhen_finance_bureau_2026_dept_budget.pdf")
    rows = _function_row_by_measure(doc, "2210203", page=23)
    assert rows["total"]["amount"] == Decimal("2220.22")
    assert rows["basic"]["amount"] == Decimal("2220.22")
    assert rows["procurement"]["measure_header"] == "2026年政府采购项目/小计"
    parts = [r for r in doc.datasets["function_rows"] if r["measure"] == "of_which"]
    assert {r["function_code"] for r in parts} >= {"2210203", "2010601"}


def test_xian_summary_lists_expenditure_by_economic_class_too():
    doc = _parse("xian_housing_construction_bureau_2022_dept_budget.pdf")
    # p.36 表1: (1)工资福利支出 99633217.06 元 under 部门预算支出经济分类科目（按大类）
    row = _one(
        doc,
        "summary_rows",
        table_kind="department_summary",
        measure="dept_economic_amount",
        amount_as_printed="99633217.06",
    )
    assert row["item_label"].endswith("工资福利支出") and row["class_name"] is None
    assert row["amount"] == Decimal("9963.321706")
    # 1、机关工资福利支出 40590512.97 元 under 政府预算支出经济分类科目（按大类）
    row = _one(
        doc,
        "summary_rows",
        table_kind="department_summary",
        measure="gov_economic_amount",
        amount_as_printed="40590512.97",
    )
    assert row["side"] == "expenditure" and row["source_page"] == 36
    # the function side keeps its own rows: 20、住房保障支出 2151318501.42
    row = _one(
        doc,
        "summary_rows",
        table_kind="department_summary",
        measure="amount",
        amount_as_printed="2151318501.42",
    )
    assert row["class_name"] == "住房保障支出"


def test_xian_project_expenditure_is_called_special_business_funds():
    # 专项业务经费支出 is the template's 项目支出 (p.39 表4 and p.41 表6)
    doc = _parse("xian_housing_construction_bureau_2022_dept_budget.pdf")
    headers = {
        r["measure_header"] for r in doc.datasets["function_rows"] if r["measure"] == "project"
    }
    assert any("专项业务经费支出" in h for h in headers)
    econ = {r["measure_header"] for r in doc.datasets["economic_rows"] if r["measure"] == "project"}
    assert any("专项业务经费支出" in h for h in econ)


def test_a_title_printed_inside_the_grid_before_it_starts_a_new_table():
    # Beijing p.14-15: 预算09表 三公 (six amounts), then p.15 预算10表 政府采购预算明细表 printed
    # as the first row of a grid: its A-货物 716.974000 is no 三公 amount
    doc = _parse("beijing_finance_bureau_2026_dept_budget_part2_tables.pdf")
    assert {r["source_page"] for r in doc.datasets["three_public_rows"]} == {14}
    printed = {r["amount_as_printed"] for r in doc.datasets["three_public_rows"]}
    assert "716.974000" not in printed and "223.799250" in printed
    titles = {t["title"]: t["family"] for t in doc.datasets["tables"]}
    assert titles["预算10表政府采购预算明细表"] == "procurement"
    # p.16: a header cell printed above the grid (指导性目录) is not the table's title
    assert titles["预算11表财政拨款政府购买服务明细表"] == "purchased_services"
    assert "指导性目录" not in titles


def test_xian_basic_expenditure_by_function_over_two_pages():
    # 表7 一般公共预算基本支出明细表（按支出功能分类科目）, 元, pp.45-46:
    # 合计 | 人员经费支出 | 公用经费支出
    doc = _parse("xian_housing_construction_bureau_2022_dept_budget.pdf")
    (table,) = [t for t in doc.datasets["tables"] if t["family"] == "basic_by_function"]
    assert table["n_parts"] == 2 and table["budget_scope"] == "general_public_budget"
    rows = _function_row_by_measure(doc, "2120101", page=45)  # 行政运行 33520403.38
    assert rows["basic"]["amount"] == Decimal("3352.040338")
    assert rows["basic_personnel"]["amount"] == Decimal("3014.224308")
    assert rows["basic_public"]["amount"] == Decimal("337.816030")
    assert "total" not in rows  # the 合计 of a basic table is basic expenditure
    rows = _function_row_by_measure(doc, "2210201", page=46)  # 住房公积金 8373848.47
    assert rows["basic"]["amount"] == Decimal("837.384847")


def test_xian_government_fund_summary_keeps_each_side():
    # 表9 政府性基金收支表 p.50: line "| | | | 对社会保障基金补助 | 0.00 | 十五、其他支出 | 0.00"
    # prints only the economic-class pairs of the expenditure side: nothing of it is revenue
    doc = _parse("xian_housing_construction_bureau_2022_dept_budget.pdf")
    (table,) = [t for t in doc.datasets["tables"] if t["family"] == "government_fund_summary"]
    rows = [r for r in doc.datasets["summary_rows"] if r["table_id"] == table["table_id"]]
    assert {r["table_kind"] for r in rows} == {"government_fund_summary"}
    # the revenue side prints one item and its 本年收入合计 (lines 892 and 911)
    revenue = {(r["item_label"], r["source_line"]) for r in rows if r["side"] == "revenue"}
    assert revenue == {("一 、 政府性基金拨款", 892), ("本年收入合计", 911)}
    social = [r for r in rows if r["item_label"] == "对社会保障基金补助"]
    assert [(r["side"], r["measure"]) for r in social] == [("expenditure", "dept_economic_amount")]
    coverage = {c["table_id"]: c for c in doc.datasets["coverage"]}[table["table_id"]]
    assert coverage["status"] == "complete" and coverage["numeric_cells_landed_twice"] == 0


def test_a_fiscal_appropriation_table_is_its_own_scope():
    # 西南大学财政拨款支出预算表 p.10: 2050205 高等教育 181,866.03 | 152,573.56 | 29,292.47
    doc = _parse("southwest_university_2023_dept_budget.pdf")
    rows = _function_row_by_measure(doc, "2050205", page=10)
    assert {r["budget_scope"] for r in rows.values()} == {"fiscal_appropriation"}
    assert rows["total"]["amount"] == Decimal("181866.03")
    assert rows["basic"]["amount"] == Decimal("152573.56")
    assert rows["project"]["amount"] == Decimal("29292.47")


def test_xian_meeting_and_training_costs_beside_the_three_public_costs():
    # 表13 p.61, 合计 row, 2022年 block: 合计 2893950.00 = 三公 807650.00 + 会议费 165500.00 +
    # 培训费 1920800.00; the 合计 is not the 三公 total
    doc = _parse("xian_housing_construction_bureau_2022_dept_budget.pdf")
    amounts = {
        r["category"]: r["amount"]
        for r in doc.datasets["three_public_rows"]
        if r["measure"] == "amount"
    }
    assert amounts["total"] == Decimal("80.765")
    assert amounts["meeting"] == Decimal("16.55")
    assert amounts["training"] == Decimal("192.08")
    assert amounts["total_with_other_costs"] == Decimal("289.395")


def test_prose_printed_in_boxes_of_its_own_is_text_not_a_grid():
    # 长沙 p.8: the narrative's words sit in text-background boxes; their edges are no table
    doc = read_document(
        (DOCUMENTS / "changsha_petition_bureau_2026_dept_budget.pdf").read_bytes(), "c"
    )
    (line,) = [ln for ln in doc.lines if ln.page == 8 and "122.98万元" in ln.text]
    assert not line.is_table
    assert not [ln for ln in doc.lines if ln.page in (8, 9) and ln.is_table and "万元" in ln.text]


@pytest.mark.parametrize(
    "name",
    [
        "shanghai_putuo_wanli_street_2023_dept_budget.pdf",  # 五、部门预算表 beside 一、部门职能
        "southwest_university_2023_dept_budget.pdf",  # 二、部门预算报表
        "hangzhou_justice_bureau_2026_dept_budget.pdf",  # 四、2026年杭州市司法局预算公开表
    ],
)
def test_the_part_that_holds_the_tables_is_no_listed_table(name):
    # the outline's entry is the heading of the tables, not a table R09 could find missing
    entries = _parse(name).datasets["toc_entries"]
    assert [e["title"] for e in entries if e["family"] == "contents"] == []
    assert [e["title"] for e in entries if e["matched_table_id"] is None] == []


@pytest.mark.parametrize(
    ("name", "listed"),
    [
        # 1 、部门收支总表 … printed as a grid (number | title)
        ("changsha_petition_bureau_2026_dept_budget.pdf", 10),
        # （一） 收支总表 … （十一） 国有资本经营预算支出表
        ("shenzhen_finance_bureau_2026_dept_budget.pdf", 11),
        # 表1 | 2022年部门综合预算收支总表 … in a grid with 是否空表
        ("xian_housing_construction_bureau_2022_dept_budget.pdf", 14),
        # 五、部门预算表 (the part, a heading), then 1. … 4． … 9. its tables
        ("shanghai_putuo_wanli_street_2023_dept_budget.pdf", 9),
    ],
)
def test_tables_of_contents_in_every_numbering_are_read_and_matched(name, listed):
    entries = _parse(name).datasets["toc_entries"]
    assert len(entries) == listed
    assert [e["title"] for e in entries if e["matched_table_id"] is None] == []


def test_a_table_of_contents_with_ellipsis_leaders():
    from loaders.segment import table_of_contents

    text = "目录\n一、部门收支总表……………3\n二、部门收入总表……4\n3. 部门支出总表·····5\n"
    titles = [e.title for e in table_of_contents(text, None)]
    assert titles == ["部门收支总表", "部门收入总表", "部门支出总表"]


# ----------------------------------------------------------------------------- form tables


def _form_values(doc: ParsedDocument, line: int) -> dict[int, dict]:
    return {r["col_index"]: r for r in doc.datasets["form_values"] if r["source_line"] == line}


def test_performance_form_funds_in_yuan_from_the_row_group_label(wanli):
    # p.31 财政项目支出绩效目标填报表: 项目资金（元） | 项目资金总额 4,100,000.00 | 年度资金申请总额
    # 4,100,000.00; 上年结转资金 0.00 on the row below, under the same 项目资金（元）
    row = _form_values(wanli, 514)
    assert {c: (r["amount"], r["unit_as_printed"]) for c, r in row.items()} == {
        4: (Decimal("410"), "元"),
        7: (Decimal("410"), "元"),
    }
    assert row[4]["subject"] == "新建万里街道社区公共服务中心" and row[4]["source_page"] == 31
    assert row[7]["row_label"] == "项目资金（元） / 年度资金申请总额"
    assert _form_values(wanli, 516)[7]["amount"] == Decimal("0")
    # its indicator targets print units inside the text (≥13459.00(平方米)): no number lands
    assert not _form_values(wanli, 521)


def test_performance_targets_and_funds_beside_them():
    # Beijing p.17 预算12表 项目支出绩效目标表 (金额单位：万元): 评审工作经费 839.000000 under
    # 项目总额 and 其中：财政资金; 评审项目数量 ≥ 420 个 under 本年绩效指标值
    doc = _parse("beijing_finance_bureau_2026_dept_budget_part2_tables.pdf")
    funds = _form_values(doc, 292)
    assert funds[1]["amount"] == funds[2]["amount"] == Decimal("839")
    assert funds[1]["subject"] == "11000022T000000455794-评审工作经费"
    target = _form_values(doc, 294)[9]
    assert (target["value_kind"], target["printed_number"], target["unit_as_printed"]) == (
        "indicator",
        Decimal("420"),
        "个",
    )
    assert target["amount"] is None and target["subject"] == funds[1]["subject"]
    # a project row cut at the foot of p.17 and printed whole on p.18: the cut copy is not typed
    cut = [r for r in doc.datasets["form_values"] if r["value_as_printed"] == "67.700000"]
    assert {(r["source_page"], r["col_index"]) for r in cut} == {(18, 1), (18, 2)}


def test_a_full_stop_set_nearer_the_next_lines_centre_stays_in_its_number():
    # Beijing p.41 预算12表 (万元), last row of the page: 68-终端运行及统一身 260.310000 260.310000,
    # the wrapped 绩效目标 text of the row under it set so tight that each full stop's centre is
    # nearer that line's than its digits'; it sits on their baseline and right beside them.
    # The row is cut at the foot of p.41 and printed whole on p.42: only p.42's copy is typed.
    doc = _parse("beijing_finance_bureau_2026_dept_budget_part2_tables.pdf")
    project = [
        r
        for r in doc.datasets["form_values"]
        if (r["subject"] or "").endswith("-终端运行及统一身份认证保障服务")
    ]
    funds = {r["col_index"]: r for r in project if r["value_kind"] == "amount"}
    assert {(r["source_page"], r["value_as_printed"], r["amount"]) for r in funds.values()} == {
        (42, "260.310000", Decimal("260.31"))
    }
    cells = [c for c in doc.datasets["cells"] if c[8] == 41 and c[6].startswith("260")]
    assert [c[6] for c in cells] == ["260.310000", "260.310000"]
    # p.31: 168.000000 (its full stop as tight against the line below)
    cut = {r["value_as_printed"] for r in doc.datasets["form_values"] if r["source_page"] == 31}
    assert "168.000000" in cut and "168000000" not in cut
    # no project of the bureau's performance targets is larger than its whole budget
    budget = max(r["amount"] for r in doc.datasets["summary_rows"] if r["row_role"] == "total")
    amounts = [r["amount"] for r in doc.datasets["form_values"] if r["family"] == "performance"]
    assert max(a for a in amounts if a is not None) <= budget


def test_procurement_and_purchased_services_by_item():
    doc = _parse("beijing_finance_bureau_2026_dept_budget_part2_tables.pdf")
    # p.15 预算10表: A-货物 716.974000, 合 计 12,948.487100 (万元)
    assert _form_values(doc, 264)[1]["amount"] == Decimal("716.974")
    total = _form_values(doc, 266)[1]
    assert (total["row_role"], total["amount"]) == ("total", Decimal("12948.4871"))
    # p.16 预算11表: the three levels of the 指导性目录 label the amount
    service = _form_values(doc, 272)[3]
    assert (
        service["row_label"] == "01-公共服务 / 0115-公共信息与宣传服务 / 公共信息系统开发与维护服务"
    )
    assert (service["family"], service["amount"]) == ("purchased_services", Decimal("4869.2615"))


def test_procurement_codes_are_labels_and_yuan_converted():
    # Xi'an p.58 表12 (单位：元): 201 26 04 … 办公设备购置 A0601办公家具 数量 1 … 345580.00
    doc = _parse("xian_housing_construction_bureau_2022_dept_budget.pdf")
    row = _form_values(doc, 1097)
    assert set(row) == {8, 14}  # the 类/款/项 and economic code cells are codes, not values
    assert (row[8]["value_kind"], row[8]["printed_number"]) == ("quantity", Decimal("1"))
    assert (row[14]["amount"], row[14]["unit_as_printed"]) == (Decimal("34.558"), "元")
    assert _form_values(doc, 1095)[14]["row_role"] == "total"


@pytest.mark.parametrize(
    "name",
    [
        "beijing_finance_bureau_2026_dept_budget_part2_tables.pdf",
        "southwest_university_2023_dept_budget.pdf",
        "xian_housing_construction_bureau_2022_dept_budget.pdf",
        "hangzhou_justice_bureau_2026_dept_budget.pdf",
    ],
)
def test_every_form_value_is_typed_or_noted(name):
    doc = _parse(name)
    notes: dict[str, int] = {}
    for note in doc.datasets["parse_notes"]:
        if note["code"] == "cell_not_landed":
            notes[note["table_id"]] = notes.get(note["table_id"], 0) + 1
    forms = [c for c in doc.datasets["coverage"] if c["family"] in FORM_VALUE_FAMILIES]
    assert forms
    landed: dict[str, int] = {}
    for row in doc.datasets["form_values"]:
        landed[row["table_id"]] = landed.get(row["table_id"], 0) + 1
    for c in forms:
        assert landed.get(c["table_id"], 0) == c["numeric_cells_landed"]
        missing = c["numeric_cells_printed"] - c["numeric_cells_landed"]
        assert notes.get(c["table_id"], 0) == min(missing, 20), c
        assert (
            c["status"] == ("complete" if not missing else "incomplete") or c["status"] == "empty"
        )


def test_a_form_continued_on_a_page_with_merged_columns_is_placed_by_geometry():
    # Beijing 预算13表 continues from p.44 (9 cells a row) on p.45, whose ruling gives 6 cells:
    # 政府采购检查抽取项目数量 ≥ 150 个 goes under 指标值 by the x-extents of p.44's columns
    doc = _parse("beijing_finance_bureau_2026_dept_budget_part2_tables.pdf")
    (value,) = [r for r in doc.datasets["form_values"] if r["source_line"] == 1468]
    assert (value["source_page"], value["col_index"], value["column_label"]) == (45, 6, "指标值")
    assert (value["printed_number"], value["unit_as_printed"]) == (Decimal("150"), "个")
    assert value["row_label"].endswith("产出指标数量指标政府采购检查抽取项目数量 / ≥")
    # SWU p.17: the 分值 of 设备更新数量 (27台、件、套 | 5) under 分值（90）, as on p.16
    swu = _parse("southwest_university_2023_dept_budget.pdf")
    weights = {
        r["source_line"]: r
        for r in swu.datasets["form_values"]
        if r["source_page"] == 17 and r["value_kind"] == "weight"
    }
    assert weights[347]["col_index"] == 6 and weights[347]["printed_number"] == Decimal("5")
    assert weights[347]["column_label"] == "分值(90)"
    # SWU p.36 (236教师工作专项, continued): 完成培训人数 | 250人 | 15 under a header whose 分值
    # column no row above measures: the geometry does not decide, so 15 stays in cells
    assert not [r for r in swu.datasets["form_values"] if 786 <= r["source_line"] <= 789]
    (teachers,) = [
        c
        for c in swu.datasets["coverage"]
        if c["reason"] and "fewer cells than its header" in c["reason"]
    ]
    assert teachers["reason"] == "the row prints fewer cells than its header (4)"


def test_a_form_head_over_several_rows_names_its_code_column():
    # 长沙 p.30 部门整体支出绩效目标表, head 单位编码 | 单位名称 | 年度预算申请 over 资金总额:
    # 126001 is the unit's code (not a value); 1,935.36 is 年度预算申请/资金总额 in 万元
    doc = _parse("changsha_petition_bureau_2026_dept_budget.pdf")
    row = _form_values(doc, 386)
    assert 1 not in row
    assert (row[3]["column_label"], row[3]["amount"]) == (
        "年度预算申请/资金总额",
        Decimal("1935.36"),
    )
    # 转办申诉求决类信访事项总量 ≥ 10000 件, its 分值 4 in a 备注 column: a remark has no unit
    targets = _form_values(doc, 390)
    assert (targets[15]["value_kind"], targets[15]["unit_as_printed"]) == ("indicator", "件")
    assert (targets[19]["value_kind"], targets[19]["unit_as_printed"]) == ("remark", None)


def test_a_form_key_whose_value_ends_like_a_column_name_is_no_header():
    # 西安 p.69 专项资金总体绩效目标表: 项目名称 | 农村危房改造补助资金 is a key and its value,
    # not a header naming a 资金 column; 资金金额（万元） | 实施期资金总额： | 818.75 is in 万元
    doc = _parse("xian_housing_construction_bureau_2022_dept_budget.pdf")
    funds = [r for r in doc.datasets["form_values"] if r["source_line"] == 1407]
    assert {(r["subject"], r["unit_as_printed"], r["amount"]) for r in funds} == {
        ("农村危房改造补助资金", "万元", Decimal("818.75"))
    }
