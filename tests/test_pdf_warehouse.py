"""The warehouse of every document in data/documents, the PDFs with the text samples.

Values are read from the printed pages (page numbers are the PDF's).
"""

from __future__ import annotations

from decimal import Decimal as D

import duckdb
import pytest
from conftest import DOCUMENTS, build_warehouse


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    tmp = tmp_path_factory.mktemp("pdf_warehouse")
    build_warehouse(DOCUMENTS, tmp)
    con = duckdb.connect(str(tmp / "budget.duckdb"), read_only=True)
    yield con
    con.close()


def _document(con, source_file: str) -> tuple:
    return con.execute(
        "select document_id, department_id, fiscal_year, disclosure_kind, disclosure_level, "
        "disclosure_part, source_format, page_count from main.dim_document where source_file = ?",
        [source_file],
    ).fetchone()


def test_every_document_is_in_dim_document_and_the_template_is_not(warehouse):
    files = {
        f for (f,) in warehouse.execute("select source_file from main.dim_document").fetchall()
    }
    on_disk = {p.name for p in DOCUMENTS.iterdir() if p.suffix in (".txt", ".pdf")}
    assert files == on_disk and len(files) == 18
    names = warehouse.execute("select department_name from main.dim_department").fetchall()
    assert ("上海市XX局",) not in names


def test_a_pdf_fact_carries_its_page(warehouse):
    # 2023年部门支出预算总表 p.17: 212 01 01 行政运行 18,373,632 元
    doc = _document(warehouse, "shanghai_putuo_wanli_street_2023_dept_budget.pdf")
    assert doc[1:] == (
        "shanghai_putuo_wanli_street",
        2023,
        "budget",
        "department",
        "complete",
        "pdf",
        35,
    )
    total, page, line = warehouse.execute(
        "select total_amount, source_page, source_line from main.fct_expenditure_by_function "
        "where document_id = ? and budget_scope = 'all_funds' and function_code = '2120101'",
        [doc[0]],
    ).fetchone()
    assert (total, page) == (D("1837.3632"), 17)
    box = warehouse.execute(
        "select min(bbox_x0), min(bbox_top) from main.stg_landed__cells "
        "where document_id = ? and source_line = ? and cell_text = '18,373,632'",
        [doc[0], line],
    ).fetchone()
    assert box[0] is not None and box[1] is not None


def test_a_unit_budget_and_a_department_budget_are_two_levels(warehouse):
    unit = _document(warehouse, "shanghai_finance_bureau_2025_unit_budget.pdf")
    department = _document(warehouse, "shanghai_putuo_finance_bureau_2025_dept_budget.pdf")
    assert unit[1:5] == ("shanghai_finance_bureau", 2025, "budget", "unit")
    assert department[1:5] == ("shanghai_putuo_finance_bureau", 2025, "budget", "department")


def test_beijings_two_files_are_two_parts_of_one_disclosure(warehouse):
    narrative = _document(warehouse, "beijing_finance_bureau_2026_dept_budget_part1_narrative.pdf")
    tables = _document(warehouse, "beijing_finance_bureau_2026_dept_budget_part2_tables.pdf")
    assert narrative[1:5] == tables[1:5] == ("beijing_finance_bureau", 2026, "budget", "department")
    assert (narrative[5], tables[5]) == ("narrative", "tables")


def test_three_public_costs_of_a_pdf_in_wanyuan(warehouse):
    doc = _document(warehouse, "shanghai_putuo_wanli_street_2023_dept_budget.pdf")
    rows = dict(
        warehouse.execute(
            "select category, amount from main.fct_three_public_costs where document_id = ?",
            [doc[0]],
        ).fetchall()
    )
    # p.28 (单位:万元): 公务接待费 1.35, 运行费 21.56; 机关运行经费 786.09 is not a 三公 category
    assert rows["official_reception"] == D("1.35")
    assert rows["vehicle_operation"] == D("21.56")


def test_final_accounts_land_their_actuals_as_facts(warehouse):
    # p.12 一般公共预算财政拨款支出决算表: 2013901 行政运行 51.32 (合计 = 基本支出)
    doc = _document(warehouse, "shanghai_putuo_party_social_work_dept_2024_dept_final_accounts.pdf")
    assert doc[3] == "final_accounts"
    row = warehouse.execute(
        "select total_amount, basic_amount, source_page from main.fct_expenditure_by_function"
        " where document_id = ? and budget_scope = 'general_public_budget'"
        " and function_code = '2013901'",
        [doc[0]],
    ).fetchone()
    assert row == (D("51.32"), D("51.32"), 12)


def test_the_narrative_part_lists_the_tables_of_the_tables_part(warehouse):
    # 北京市财政局's narrative file lists the 14 tables its second file prints: none is missing
    narrative = _document(warehouse, "beijing_finance_bureau_2026_dept_budget_part1_narrative.pdf")
    rows = warehouse.execute(
        "select status, count(*) from main.int_dq_checks "
        "where document_id = ? and rule_id = 'R09' group by status",
        [narrative[0]],
    ).fetchall()
    assert rows == [("pass", 14)]


def test_a_check_on_a_partly_read_table_is_not_evaluable(warehouse):
    incomplete = warehouse.execute(
        "select count(*) from main.int_dq_checks c join main.stg_landed__coverage v "
        "on c.document_id = v.document_id and c.source_table = v.table_id "
        "where v.status = 'incomplete' and c.status = 'fail'"
    ).fetchone()
    assert incomplete == (0,)
    # the rules do run on such tables (Xi'an's and Shenzhen's 三公 tables print other years and
    # other costs beside the budget): a check that would fail there is not evaluable, not a fail
    (checked,) = warehouse.execute(
        "select count(*) from main.int_dq_checks c join main.stg_landed__coverage v "
        "on c.document_id = v.document_id and c.source_table = v.table_id "
        "where v.status = 'incomplete'"
    ).fetchone()
    assert checked > 0
    # every finding there is not evaluable: a check that failed says why (`not fully read (`);
    # others were not evaluable anyway (the welfare home's R10: a project total, no project list)
    statuses = warehouse.execute(
        "select distinct f.status from main.fct_dq_findings f join main.stg_landed__coverage v "
        "on f.document_id = v.document_id and f.source_table = v.table_id "
        "where v.status = 'incomplete'"
    ).fetchall()
    assert set(statuses) <= {("not_evaluable",)}


def test_a_generic_item_name_under_many_sections_is_no_r06_finding(warehouse):
    # 万里街道 prints 一般行政管理事务 under seven 款 (2012902 … 2120102) in each function table
    doc = _document(warehouse, "shanghai_putuo_wanli_street_2023_dept_budget.pdf")
    (status, message) = warehouse.execute(
        "select status, message from main.int_dq_checks where document_id = ? "
        "and rule_id = 'R06' and subject = 'function code of 一般行政管理事务'",
        [doc[0]],
    ).fetchone()
    assert status == "pass" and "names several items" in message


def test_a_three_public_table_not_read_is_null_not_zero(warehouse):
    # 上海普陀 party social work 2024 final accounts: its 财政拨款“三公”经费支出决算表 prints its
    # header and no row, so it lands no typed amount and no category may read 0
    doc = _document(warehouse, "shanghai_putuo_party_social_work_dept_2024_dept_final_accounts.pdf")
    rows = warehouse.execute(
        "select category, amount, is_printed from main.fct_three_public_costs"
        " where document_id = ?",
        [doc[0]],
    ).fetchall()
    assert len(rows) == 4 and all(amount is None and not printed for _, amount, printed in rows)
    # a 决算 table not read is the document's own basis, the actuals
    bases = warehouse.execute(
        "select distinct amount_basis from main.fct_three_public_costs where document_id = ?",
        [doc[0]],
    ).fetchall()
    assert bases == [("final",)]
    (total,) = warehouse.execute(
        "select three_public_total from main.mart_budget_overview where document_id = ?", [doc[0]]
    ).fetchone()
    assert total is None


def test_a_category_printed_blank_in_a_table_that_was_read_is_zero(warehouse):
    # 杭州 p.34 表7: 因公出国(境)费用 is printed blank in the 合计 row that was read
    doc = _document(warehouse, "hangzhou_justice_bureau_2026_dept_budget.pdf")
    amount, printed = warehouse.execute(
        "select amount, is_printed from main.fct_three_public_costs"
        " where document_id = ? and category = 'outbound_travel'",
        [doc[0]],
    ).fetchone()
    assert amount == D("0") and not printed


def test_the_counted_once_rows_sum_to_the_printed_total(warehouse):
    # 长沙市信访局 p.14 部门支出总体情况表: 合计 1,935.36; scopes overlap, so an unfiltered sum
    # counts the general_public_budget rows a second time
    doc = _document(warehouse, "changsha_petition_bureau_2026_dept_budget.pdf")
    once, everything = warehouse.execute(
        "select sum(total_amount) filter (where is_counted_once), sum(total_amount)"
        " from main.fct_expenditure_by_function where document_id = ?",
        [doc[0]],
    ).fetchone()
    assert once == D("1935.36") and everything > once


def test_final_accounts_balance_and_agree_across_tables(warehouse):
    # 西南大学 2023 决算 表1 line 153: 合计 569,496.54 on both sides (a bare 合计 is the total);
    # 表3 支出决算表 本年支出合计 457,676.75 = 表1 本年支出合计
    doc = _document(warehouse, "southwest_university_2023_dept_final_accounts.pdf")
    checks = warehouse.execute(
        "select rule_id, status, actual from main.int_dq_checks"
        " where document_id = ? and rule_id in ('R03', 'R04')",
        [doc[0]],
    ).fetchall()
    assert [(s, a) for r, s, a in checks if r == "R04"] == [("pass", D("569496.54"))]
    assert len(checks) > 5 and all(status == "pass" for _, status, _ in checks)
