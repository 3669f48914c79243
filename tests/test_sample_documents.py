"""Printed values of the five sample documents land in the right family, code, column and unit.

Every number here is read from the documents in data/documents (line numbers in comments).
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from conftest import amount, rows

from loaders.settings import FORM_VALUE_FAMILIES


def test_identity_from_content(parsed):
    expected = {
        "anyang": ("安阳市住房公积金管理中心", 2024),
        "changzhi": ("长治市住房公积金管理中心", 2024),
        "jiyuan": ("济源市住房公积金管理中心", 2021),
        "urumqi": ("乌鲁木齐住房公积金管理中心", 2024),
        "xiamen": ("厦门市住房公积金中心", 2024),
    }
    for key, (name, year) in expected.items():
        doc = parsed[key].document
        assert (doc["department_name"], doc["fiscal_year"], doc["disclosure_kind"]) == (
            name,
            year,
            "budget",
        )
    # Jiyuan's tables print the department's new name: both are kept
    assert (
        "济源产城融合示范区住房公积金管理中心" in parsed["jiyuan"].document["department_names_seen"]
    )


def test_anyang_split_function_code_row(parsed):
    # line 250: 221⇥03⇥02⇥⇥住房公积金管理⇥27892.32⇥27765.32⇥27451.93⇥27.83⇥285.56⇥⇥127⇥⇥127
    doc = parsed["anyang"]
    where = dict(budget_scope="all_funds", function_code="2210302", source_line=250)
    assert amount(doc, "function_rows", measure="total", **where) == D("27892.32")
    assert amount(doc, "function_rows", measure="basic", **where) == D("27765.32")
    assert amount(doc, "function_rows", measure="basic_personnel_households", **where) == D("27.83")
    assert amount(doc, "function_rows", measure="basic_public_goods_services", **where) == D(
        "285.56"
    )
    assert amount(doc, "function_rows", measure="project", **where) == D("127")
    assert rows(doc, "function_rows", **where)[0]["code_as_printed"] == "221 03 02"
    assert rows(doc, "function_rows", **where)[0]["row_role"] == "item"


def test_anyang_row_continued_across_page_break(parsed):
    # line 365, after the page break: 30207⇥邮电费⇥50201⇥办公经费⇥10⇥10 (one cell short)
    doc = parsed["anyang"]
    assert amount(doc, "economic_rows", source_line=365, measure="total") == D("10")
    assert amount(doc, "economic_rows", source_line=365, measure="public") == D("10")
    assert not rows(doc, "economic_rows", source_line=365, measure="personnel")
    # placed by arithmetic: the items add up to the 合计 row's 公用经费 only with it there
    notes = rows(doc, "parse_notes", source_line=365)
    assert [n["code"] for n in notes] == ["columns_derived"]
    assert "10 as 本年一般公共预算基本支出/公用经费" in notes[0]["message"]
    # the page-broken 基本支出 table is one table again
    tables = [t for t in doc.datasets["tables"] if t["family"] == "basic_by_economic"]
    assert len(tables) == 1 and tables[0]["n_parts"] == 2


def test_anyang_economic_summary_split_codes_and_garbled_header(parsed):
    # line 405: 310⇥07⇥信息网络及软件购置更新⇥506⇥01⇥资本性支出⇥51⇥51⇥51
    doc = parsed["anyang"]
    found = rows(doc, "economic_rows", source_line=405, measure="total")
    assert len(found) == 1
    row = found[0]
    assert (row["dept_economic_code"], row["gov_economic_code"], row["amount"]) == (
        "31007",
        "50601",
        D("51"),
    )
    assert amount(doc, "economic_rows", source_line=405, measure="gpb_fiscal") == D("51")


def test_anyang_carryover_project_and_three_public(parsed):
    doc = parsed["anyang"]
    # line 468: 2210302⇥50601⇥31007⇥住房公积金管理⇥510001⇥…⇥征信信息共享接入项目⇥20⇥财政拨款
    carry = rows(doc, "project_rows", source_line=468, measure="total")[0]
    assert carry["is_carryover"] is True
    assert (carry["project_name"], carry["function_code"], carry["amount"]) == (
        "征信信息共享接入项目",
        "2210302",
        D("20"),
    )
    assert carry["fund_nature"] == "财政拨款"
    # line 424: 7⇥⇥4⇥⇥4⇥3 under a header of categories
    assert amount(doc, "three_public_rows", category="total") == D("7")
    assert amount(doc, "three_public_rows", category="vehicle_operation") == D("4")
    assert amount(doc, "three_public_rows", category="official_reception") == D("3")
    assert not rows(doc, "three_public_rows", category="outbound_travel")


def test_changzhi_names_only_economic_rows(parsed):
    doc = parsed["changzhi"]
    # line 268: 基本工资⇥工资福利支出⇥268.92⇥268.92⇥ (no codes printed)
    row = rows(doc, "economic_rows", source_line=268, measure="personnel")[0]
    assert row["dept_economic_code"] is None and row["gov_economic_code"] is None
    assert (row["dept_economic_name"], row["gov_economic_name"], row["amount"]) == (
        "基本工资",
        "工资福利支出",
        D("268.92"),
    )
    # line 266: 工资福利支出 class subtotal, kept and marked
    assert rows(doc, "economic_rows", source_line=266, measure="total")[0]["row_role"] == "class"
    # line 280: 其他社会保障缴费⇥工资福利支出⇥15.86⇥2.40⇥13.46
    assert amount(doc, "economic_rows", source_line=280, measure="public") == D("13.46")


def test_changzhi_function_hierarchy_and_empty_tables(parsed):
    doc = parsed["changzhi"]
    # line 171: 2210302⇥住房公积金管理⇥45.47⇥⇥45.47
    where = dict(budget_scope="all_funds", function_code="2210302")
    assert amount(doc, "function_rows", measure="total", **where) == D("45.47")
    assert amount(doc, "function_rows", measure="project", **where) == D("45.47")
    assert not rows(doc, "function_rows", measure="basic", **where)
    # subtotal rows keep their level: 22103 is a section, 221 a class
    assert (
        rows(doc, "function_rows", budget_scope="all_funds", function_code="22103")[0]["row_role"]
        == "section"
    )
    assert (
        rows(doc, "function_rows", budget_scope="all_funds", function_code="221")[0]["row_role"]
        == "class"
    )
    # 注：本表无数据 tables are recorded as empty, with the note
    empty = [t for t in doc.datasets["tables"] if t["is_empty"]]
    assert {t["title"] for t in empty} >= {
        "政府性基金预算支出表(不含上年结转)",
        "项目支出预算表(上年结转)",
    }
    assert all("本表无数据" in (t["empty_note"] or "") for t in empty if "政府性基金" in t["title"])


def test_changzhi_projects_and_operating_cost(parsed):
    doc = parsed["changzhi"]
    # line 389: 等保测评费⇥9.10⇥9.10
    row = rows(doc, "project_rows", source_line=389, measure="total")[0]
    assert (row["project_name"], row["amount"], row["is_carryover"], row["row_role"]) == (
        "等保测评费",
        D("9.10"),
        False,
        "item",
    )
    assert amount(doc, "operating_cost_rows", row_role="total", measure="total") == D("186.21")


def test_jiyuan_unit_code_column_and_project_split(parsed):
    doc = parsed["jiyuan"]
    # line 158: 221⇥03⇥02⇥060⇥住房公积金管理⇥503.7⇥200.5⇥168.4⇥24.0⇥8.1⇥303.2⇥178.0⇥125.2
    where = dict(budget_scope="all_funds", source_line=158)
    row = rows(doc, "function_rows", measure="total", **where)[0]
    assert (row["function_code"], row["unit_code"], row["amount"]) == ("2210302", "060", D("503.7"))
    assert amount(doc, "function_rows", measure="basic_public", **where) == D("24.0")
    assert amount(doc, "function_rows", measure="project_special_fund", **where) == D("125.2")
    # line 244: 301⇥13⇥住房公积金⇥505⇥01⇥工资福利支出⇥9.5 … by revenue source
    assert amount(doc, "economic_rows", source_line=244, measure="total") == D("9.5")
    source = rows(doc, "economic_rows", source_line=244, measure="by_source")[0]
    assert source["measure_header"].endswith("政府住房基金收入") and source["amount"] == D("9.5")
    # 三公 printed as rows, 共计 is the total (line 277)
    assert amount(doc, "three_public_rows", category="total", measure="amount") == D("3.4")


def test_urumqi_thousands_separators_and_repaired_header(parsed):
    doc = parsed["urumqi"]
    # line 102: 一、本年收入⇥4,405.73
    row = rows(doc, "summary_rows", source_line=102, side="revenue")[0]
    assert (row["amount"], row["amount_as_printed"]) == (D("4405.73"), "4,405.73")
    # line 121: … 221 住房保障支出⇥4,108.82: class code printed with the name
    exp = rows(doc, "summary_rows", source_line=121, side="expenditure")[0]
    assert (exp["class_code"], exp["class_name"], exp["amount"]) == (
        "221",
        "住房保障支出",
        D("4108.82"),
    )
    # line 145: 财政拨款结转 55.93 sits in the 11th amount column of a garbled header
    assert amount(doc, "revenue_rows", source_line=145, measure="carryover_fiscal") == D("55.93")
    assert not rows(doc, "revenue_rows", measure="carryover_nonfiscal")


def test_urumqi_name_split_over_page_break_and_projects(parsed):
    doc = parsed["urumqi"]
    units = {r["project_name"] for r in rows(doc, "project_rows", row_role="unit")}
    assert "乌鲁木齐住房公积金管理中心铁路局分中心" in units
    # line 312: 住建厅综合平台使用费 704.00 under 资本性支出 (department economic class 310)
    row = rows(doc, "project_rows", source_line=312, measure="econ_310")[0]
    assert (row["project_name"], row["function_code"], row["amount"]) == (
        "住建厅综合平台使用费",
        "2210302",
        D("704.00"),
    )
    # line 399: a carried-over project
    carry = rows(doc, "project_rows", source_line=399, measure="total")[0]
    assert (carry["project_name"], carry["is_carryover"], carry["amount"]) == (
        "特定目标 86100208",
        True,
        D("21.00"),
    )


def test_xiamen_prints_different_codes_in_two_tables(parsed):
    doc = parsed["xiamen"]
    all_funds = {r["function_code"] for r in rows(doc, "function_rows", budget_scope="all_funds")}
    gpb = {
        r["function_code"] for r in rows(doc, "function_rows", budget_scope="general_public_budget")
    }
    # landed as printed: 21014/2080506 in one table, 21011/2080509 in the other
    assert {"21014", "2080506"} <= all_funds - gpb
    assert {"21011", "2080509"} <= gpb - all_funds
    assert amount(doc, "economic_rows", dept_economic_code="30239", measure="total") == D("53.00")
    assert amount(doc, "three_public_rows", category="official_reception") == D("2.01")


@pytest.mark.parametrize("key", ["anyang", "changzhi", "jiyuan", "urumqi", "xiamen"])
def test_coverage_complete(parsed, key):
    every_table = parsed[key].datasets["coverage"]
    coverage = [
        r
        for r in every_table
        if r["status"] != "not_typed" and r["family"] not in FORM_VALUE_FAMILIES
    ]
    assert coverage, "recognised tables must be accounted for"
    assert len(every_table) == len(parsed[key].datasets["tables"])  # every table is counted
    for row in coverage:
        assert row["status"] in ("complete", "empty"), row
        assert row["numeric_cells_printed"] == row["numeric_cells_landed"]
        assert row["numeric_cells_landed_twice"] == 0
    landed = sum(
        len(parsed[key].datasets[d])
        for d in (
            "summary_rows",
            "revenue_rows",
            "function_rows",
            "economic_rows",
            "three_public_rows",
            "project_rows",
            "operating_cost_rows",
        )
    )
    assert landed == sum(r["numeric_cells_landed"] for r in coverage)


def test_every_table_lands_in_the_generic_cells(parsed):
    for doc in parsed.values():
        tables = {t["table_id"] for t in doc.datasets["tables"]}
        assert tables == {c[1] for c in doc.datasets["cells"]}
    # a performance-target table (not a recognised family) keeps its printed cells
    perf = [c for c in parsed["changzhi"].datasets["cells"] if c[6] == "≤91000元/年"]
    assert perf and perf[0][7] == 505


def test_table_of_contents_lists_tables_the_document_lacks(parsed):
    missing = {
        key: sorted(
            e["title"] for e in doc.datasets["toc_entries"] if e["matched_table_id"] is None
        )
        for key, doc in parsed.items()
    }
    assert missing == {
        "anyang": ["部门预算表"],
        "changzhi": [],
        "jiyuan": ["支出经济分类汇总表", "部门收入总体情况表", "部门收支总体情况表"],
        "urumqi": [],
        "xiamen": ["部门收入预算总体情况表"],
    }
