"""Bad input: a clear message naming the file (and line), the rest of the batch still lands."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from conftest import DOCUMENTS, SAMPLES, amount_positions, parse_path

from loaders import landing
from loaders.cli import main
from loaders.document import parse_bytes
from loaders.landing import load

ANYANG = DOCUMENTS / SAMPLES["anyang"]
XIAMEN = DOCUMENTS / SAMPLES["xiamen"]


def _batch(tmp_path: Path, extra: dict[str, bytes]) -> Path:
    """A folder with two good samples plus the given bad files."""
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(DOCUMENTS / SAMPLES["changzhi"], folder)
    shutil.copy(DOCUMENTS / SAMPLES["jiyuan"], folder)
    for name, data in extra.items():
        (folder / name).write_bytes(data)
    return folder


def _landed_docs(out: Path) -> set[str]:
    return set(pq.read_table(out / "documents").column("source_file").to_pylist())


GOOD = {SAMPLES["changzhi"], SAMPLES["jiyuan"]}


def test_empty_file(tmp_path):
    report = load([_batch(tmp_path, {"empty.txt": b"  \n"})], tmp_path / "out", workers=1)
    assert [r.message for r in report.rejected] == ["empty.txt: empty file: no text to parse"]
    assert _landed_docs(tmp_path / "out") == GOOD


@pytest.mark.parametrize(
    ("name", "magic", "expected"),
    [
        ("scan.gif", b"GIF89a\n", "scan.gif:2: binary file"),  # not text, not a PDF
        ("scan.pdf", b"%PDF-1.7\n", "scan.pdf: malformed PDF: "),  # a PDF header, then garbage
    ],
)
def test_binary_and_malformed_files(tmp_path, name, magic, expected):
    data = magic + bytes(range(256)) * 4
    report = load([_batch(tmp_path, {name: data})], tmp_path / "out", workers=1)
    (message,) = [r.message for r in report.rejected]
    assert message.startswith(expected)
    assert _landed_docs(tmp_path / "out") == GOOD


def test_gbk_copy_lands_identical_rows(tmp_path):
    text = ANYANG.read_text(encoding="utf-8")
    gbk = tmp_path / "anyang_gbk.txt"
    gbk.write_bytes(text.replace("\n", "\r\n").encode("gbk"))
    original, copy = parse_path(ANYANG), parse_path(gbk)
    assert copy.document["encoding"] == "gb18030"
    assert copy.document_id == original.document_id
    for dataset in ("function_rows", "economic_rows", "summary_rows", "project_rows", "cells"):
        assert copy.datasets[dataset] == original.datasets[dataset]


def test_truncated_copy_is_rejected_with_line(tmp_path):
    lines = ANYANG.read_text(encoding="utf-8").split("\n")
    cut = "\n".join(lines[:249]) + "\n" + "\t".join(lines[249].split("\t")[:6])  # mid line 250
    report = load([_batch(tmp_path, {"anyang_cut.txt": cut.encode()})], tmp_path / "out", workers=1)
    (message,) = [r.message for r in report.rejected]
    assert message.startswith("anyang_cut.txt:250: truncated")
    assert _landed_docs(tmp_path / "out") == GOOD


def test_same_document_twice_under_two_names_loads_once(tmp_path):
    data = ANYANG.read_bytes()
    folder = _batch(tmp_path, {"a.txt": data, "b.txt": data.decode().encode("gb18030")})
    report = load([folder], tmp_path / "out", workers=1)
    assert len(report.loaded) == 3
    assert any("b.txt: same content as a.txt" in s for s in report.skipped)
    table = pq.read_table(tmp_path / "out" / "function_rows").to_pylist()
    ids = {r["document_id"] for r in table}
    assert len(ids) == 3
    # loading the folder again changes nothing
    again = load([folder], tmp_path / "out", workers=1)
    assert not again.loaded and len(again.skipped) == 4


def test_unknown_layout_document_is_rejected(tmp_path):
    text = "某市某局2024年部门预算\n\n某某情况表\n\n甲\t乙\t丙\n1\t2\t3\n"
    report = load([_batch(tmp_path, {"odd.txt": text.encode()})], tmp_path / "out", workers=1)
    (message,) = [r.message for r in report.rejected]
    assert message.startswith("odd.txt:5: unknown layout")
    assert _landed_docs(tmp_path / "out") == GOOD


def test_table_in_unknown_layout_is_reported_with_file_and_line(tmp_path):
    text = XIAMEN.read_text(encoding="utf-8")
    # a recognised title over a header whose columns map to nothing the parser knows
    text = text.replace(
        "一般公共预算“三公”经费支出情况表\n\n单位：万元\n\n“三公”经费合计\t因公出国（境）费\t公务用车购置及运行费\t\t\t公务接待费\n\t\t小计\t公务用车购置费\t公务用车运行费\t\n2.01\t\t\t\t\t2.01",
        "一般公共预算“三公”经费支出情况表\n\n单位：万元\n\n甲类\t乙类\n9.99\t1.11",
    )
    path = tmp_path / "xiamen_odd.txt"
    path.write_text(text, encoding="utf-8")
    parsed = parse_path(path)
    assert any(m.startswith("xiamen_odd.txt:466:") and "not landed" in m for m in parsed.messages)
    coverage = [c for c in parsed.datasets["coverage"] if c["family"] == "three_public"]
    assert coverage[0]["status"] == "incomplete"


def test_yuan_copy_lands_the_same_wanyuan_values(tmp_path):
    text = ANYANG.read_text(encoding="utf-8")
    positions = amount_positions(text, ANYANG.name)
    lines = text.split("\n")
    for line, cols in positions.items():
        cells = lines[line - 1].split("\t")
        for col in cols:
            cells[col] = f"{Decimal(cells[col].replace(',', '')) * 10000:,.2f}"
        lines[line - 1] = "\t".join(cells)
    yuan = "\n".join(lines).replace("单位：万元", "单位：元")
    path = tmp_path / "anyang_yuan.txt"
    path.write_text(yuan, encoding="utf-8")
    original, copy = parse_path(ANYANG), parse_path(path)
    assert "310,297,600.00" in yuan
    for dataset in (
        "function_rows",
        "economic_rows",
        "summary_rows",
        "three_public_rows",
        "project_rows",
    ):
        assert [(r["source_line"], r["measure"], r["amount"]) for r in copy.datasets[dataset]] == [
            (r["source_line"], r["measure"], r["amount"]) for r in original.datasets[dataset]
        ]
    assert {t["unit_as_printed"] for t in copy.datasets["tables"] if t["unit_as_printed"]} == {"元"}


def test_gate_quarantines_a_failing_document(tmp_path):
    text = XIAMEN.read_text(encoding="utf-8").replace(
        "30239\t其他交通费用\t53.00", "30239\t其他交通费用\t53000000000.00"
    )
    report = load(
        [_batch(tmp_path, {"xiamen_huge.txt": text.encode()})], tmp_path / "out", workers=1
    )
    assert list(report.quarantined) == ["xiamen_huge.txt"]
    assert any("amount" in reason for reason in report.quarantined["xiamen_huge.txt"])
    (quarantined,) = (tmp_path / "out" / "_quarantine").glob("*.json")
    assert json.loads(quarantined.read_text())["source_file"] == "xiamen_huge.txt"
    assert _landed_docs(tmp_path / "out") == GOOD


@pytest.mark.parametrize(
    ("dataset", "column", "bad_value"),
    [
        ("tables", "family", "budget_table"),  # not a table family
        ("summary_rows", "side", "income"),  # a summary row is revenue or expenditure
        ("revenue_rows", "row_label", None),  # every revenue row prints a label
    ],
)
def test_gate_checks_each_row_of_the_landed_datasets(tmp_path, dataset, column, bad_value):
    # the per-row checks dbt's staging tests used to run: Anyang's real rows, one value broken
    from loaders.validate import run_gate

    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(ANYANG, folder)
    load([folder], tmp_path / "out", workers=1, gate=False)
    frames = {}
    for name in ("documents", "tables", "summary_rows", "revenue_rows"):
        frame = pq.read_table(tmp_path / "out" / name).to_pandas()
        if "amount" in frame:
            frame["amount"] = frame["amount"].astype(float)
        frames[name] = frame
    assert not run_gate(frames).failures  # as landed, every row passes
    # a labelled row (a table without a label column prints its total row with no label)
    frame = frames[dataset]
    labelled = frame.index[frame["row_role"] != "total"] if "row_role" in frame else frame.index
    frame.loc[labelled[0], column] = bad_value
    (document_id,) = set(frames["documents"]["document_id"])
    failures = run_gate(frames).failures
    assert list(failures) == [document_id]
    assert any(reason.startswith(f"{dataset}.{column}:") for reason in failures[document_id])


def test_loading_is_deterministic(tmp_path):
    for out in ("one", "two"):
        load([DOCUMENTS], tmp_path / out, workers=1, gate=False)
    for dataset in ("documents", "tables", "cells", "function_rows", "economic_rows", "coverage"):
        first = pq.read_table(tmp_path / "one" / dataset).to_pylist()
        second = pq.read_table(tmp_path / "two" / dataset).to_pylist()
        assert first == second and first


def test_cli_help_and_exit_codes(tmp_path):
    runner = CliRunner()
    for args in (["--help"], ["load", "--help"], ["status", "--help"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0 and "Usage" in result.output
    folder = _batch(tmp_path, {"empty.txt": b""})
    result = runner.invoke(main, ["load", str(folder), "--out", str(tmp_path / "out"), "--no-gate"])
    assert result.exit_code == 1
    assert "error: empty.txt: empty file" in result.output
    # Changzhi: every number typed, its 绩效目标 forms' funds in 元 (项目资金（元）) too
    assert (
        "numeric cells: 434 printed, 434 typed, 0 in cells only, 0 landed twice -> complete"
        in result.output
    )
    # Jiyuan: the funds of its seven 项目绩效目标 forms (项目总金额 | 0.00 | 项目本年度金额 | 5.00)
    # print no unit anywhere in the form or its head: never assumed, kept in cells
    assert (
        "not fully typed: jiyuan_housing_fund_2021_budget.txt: 111 of 139 numeric cells typed "
        "(79%), 28 kept in cells only: an amount, but no unit is printed" in result.output
    )
    result = runner.invoke(main, ["status", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0 and "2 documents landed" in result.output


@pytest.mark.parametrize("dataset", ["function_rows", "economic_rows", "summary_rows"])
def test_amounts_are_exact_decimals(tmp_path, dataset):
    load([DOCUMENTS], tmp_path / "out", workers=1, gate=False)
    table = pq.read_table(tmp_path / "out" / dataset)
    assert str(table.schema.field("amount").type) == "decimal128(20, 6)"
    assert all(isinstance(v, Decimal) for v in table.column("amount").to_pylist())


def _rows(out: Path) -> dict[str, list]:
    return {
        name: sorted(map(repr, pq.read_table(out / name).to_pylist())) for name in landing.SCHEMAS
    }


def test_many_loads_are_merged_into_one_part_per_dataset(tmp_path, monkeypatch):
    # every load adds a part per dataset; past MAX_BATCHES loads a load merges them, rows unchanged
    monkeypatch.setattr(landing, "MAX_BATCHES", 2)
    docs, out = tmp_path / "docs", tmp_path / "landed"
    docs.mkdir()
    keys = ["anyang", "changzhi", "jiyuan"]
    for n, key in enumerate(keys, 1):  # one load per document
        shutil.copy(DOCUMENTS / SAMPLES[key], docs)
        load([docs], out, sync=True, gate=False)
        parts = len(list((out / "function_rows").glob("part-*.parquet")))
        assert parts == (n if n <= 2 else 1)
    batches = {doc["batch"] for doc in landing.read_manifest(out)["documents"].values()}
    assert len(batches) == 1 and batches.pop().startswith("k")
    for name in landing.SCHEMAS:
        assert len(list((out / name).glob("part-*.parquet"))) == 1, name
        assert pq.read_schema(next((out / name).glob("part-*.parquet"))).types == list(
            landing.SCHEMAS[name].types
        ), name
    at_once = tmp_path / "at_once"
    load([docs], at_once, gate=False)
    assert _rows(out) == _rows(at_once)
    # a document removed after the merge leaves the merged parts
    (docs / SAMPLES["changzhi"]).unlink()
    assert len(load([docs], out, sync=True, gate=False).removed) == 1
    (at_once_docs := tmp_path / "two").mkdir()
    for key in ("anyang", "jiyuan"):
        shutil.copy(DOCUMENTS / SAMPLES[key], at_once_docs)
    load([at_once_docs], tmp_path / "two_landed", gate=False)
    assert _rows(out) == _rows(tmp_path / "two_landed")


def test_a_rebuild_that_went_live_without_some_documents_has_its_own_exit_code():
    from loaders.cli import EXIT_LIVE_WITH_REJECTIONS, rebuild_exit_code

    clean = {"added": 3, "rejected": 0, "quarantined": 0}
    assert rebuild_exit_code("succeeded", clean) == 0
    assert rebuild_exit_code("succeeded", {**clean, "rejected": 2}) == EXIT_LIVE_WITH_REJECTIONS
    assert rebuild_exit_code("succeeded", {**clean, "quarantined": 1}) == EXIT_LIVE_WITH_REJECTIONS
    assert rebuild_exit_code("failed", {**clean, "rejected": 2}) == 1
    assert EXIT_LIVE_WITH_REJECTIONS not in (0, 1, 2, 3)


def _xiamen_with(old: str, new: str, tmp_path: Path, name: str) -> Path:
    text = XIAMEN.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_number_too_large_for_the_landed_type_is_a_cell_note_and_the_rest_lands(tmp_path):
    # Xiamen's 三公 total 2.01 (line 467) damaged into a 20-digit number
    three_public = "公务接待费\n\t\t小计\t公务用车购置费\t公务用车运行费\t\n2.01\t"
    path = _xiamen_with(
        three_public, three_public.replace("2.01\t", "12345678901234567890\t"), tmp_path, "x.txt"
    )
    parsed = parse_path(path)
    notes = [n for n in parsed.datasets["parse_notes"] if n["code"] == "amount_out_of_range"]
    assert [n["source_line"] for n in notes] == [467]
    assert "12345678901234567890" not in {
        r["amount_as_printed"] for r in parsed.datasets["three_public_rows"]
    }
    assert "12345678901234567890" in {c[6] for c in parsed.datasets["cells"]}
    report = load([_batch(tmp_path, {"x.txt": path.read_bytes()})], tmp_path / "out", workers=1)
    assert not report.rejected and _landed_docs(tmp_path / "out") == GOOD | {"x.txt"}


def test_a_row_of_thousands_of_cells_loads(tmp_path):
    wide = "\t".join(["201", "一般公共服务支出"] + ["1.00"] * 20000)
    head = "某市某局2024年部门预算\n\n部门支出总体情况表\n单位：万元\n科目编码\t科目名称\t合计\n"
    text = f"{head}{wide}\n"
    report = load([_batch(tmp_path, {"wide.txt": text.encode()})], tmp_path / "out", workers=1)
    assert not report.rejected
    assert "wide.txt" in _landed_docs(tmp_path / "out")


def test_a_document_past_the_parse_time_bound_is_rejected_and_the_batch_goes_on(tmp_path):
    pdf = DOCUMENTS / "xian_housing_construction_bureau_2022_dept_budget.pdf"  # 71 pages
    rejected = landing.parse_file(pdf, timeout=0.01)
    assert isinstance(rejected, landing.Rejected)
    assert rejected.message == (
        f"{pdf.name}: parse took longer than 0.01 s (BUDGET_PARSE_TIMEOUT): rejected"
    )
    assert not isinstance(landing.parse_file(pdf), landing.Rejected)


def test_a_table_without_a_unit_is_never_assumed_to_be_in_wanyuan(tmp_path):
    # Xiamen's 三公 table without its 单位：万元 line
    path = _xiamen_with(
        "一般公共预算“三公”经费支出情况表\n\n单位：万元\n",
        "一般公共预算“三公”经费支出情况表\n\n",
        tmp_path,
        "no_unit.txt",
    )
    parsed = parse_path(path)
    assert parsed.datasets["three_public_rows"] == []
    (table,) = [t for t in parsed.datasets["tables"] if t["family"] == "three_public"]
    assert table["unit_as_printed"] is None
    assert any(n["code"] == "no_unit" for n in parsed.datasets["parse_notes"])
    (coverage,) = [c for c in parsed.datasets["coverage"] if c["family"] == "three_public"]
    assert (coverage["status"], coverage["reason"]) == ("not_typed", "no unit printed")


@pytest.mark.parametrize("marker", ["\f", "-- PAGE_BREAK --\n", "-- {page} of 9 --\n"])
def test_page_breaks_of_every_converter_number_pages_and_change_no_number(marker):
    # the Changzhi sample cut into pages at its table titles, as converters mark page breaks
    text = (DOCUMENTS / SAMPLES["changzhi"]).read_text(encoding="utf-8")
    lines = text.split("\n")
    titles = [i for i, line in enumerate(lines) if line.strip().endswith("表") and "\t" not in line]
    assert len(titles) > 3
    paged = []
    page = 1
    for i, line in enumerate(lines):
        if i in titles[1:]:
            mark = marker.format(page=page)
            if mark == "\f":
                line = "\f" + line
            else:
                paged.append(mark.rstrip("\n"))
            page += 1
        paged.append(line)
    before = parse_bytes(text.encode("utf-8"), "changzhi.txt")
    after = parse_bytes("\n".join(paged).encode("utf-8"), "changzhi.txt")
    assert after.document["page_count"] == page == len(titles)
    key = ("function_code", "measure", "amount")
    assert sorted(tuple(str(r[k]) for k in key) for r in after.datasets["function_rows"]) == sorted(
        tuple(str(r[k]) for k in key) for r in before.datasets["function_rows"]
    )
    pages = {r["source_page"] for r in after.datasets["function_rows"]}
    assert len(pages) > 1 and max(pages) <= page
