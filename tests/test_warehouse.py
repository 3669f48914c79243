"""The warehouse of the five text samples: marts hold the printed numbers, findings are real.

Builds the five samples of data/documents (the PDFs there have their own warehouse test in
test_pdf_warehouse.py) into a temporary DuckDB file (loaders + one ``dbt build``) once per
session. Every expected number is read from the documents.
"""

from __future__ import annotations

import re
import shutil
from decimal import Decimal as D
from pathlib import Path

import duckdb
import pytest
from conftest import DOCUMENTS, SAMPLES, build_warehouse

CITY = {
    "anyang": "安阳市",
    "changzhi": "长治市",
    "jiyuan": "济源市",
    "urumqi": "乌鲁木齐市",
    "xiamen": "厦门市",
}


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    tmp = tmp_path_factory.mktemp("warehouse")
    docs = tmp / "docs"
    docs.mkdir()
    for name in SAMPLES.values():
        shutil.copy(DOCUMENTS / name, docs)
    build = build_warehouse(docs, tmp)
    # one warning: dq_rule_passes, with one row for each of the four rules with real findings
    assert "WARN=1 ERROR=0" in build.stdout
    assert "dq_rule_passes_int_dq_checks" in build.stdout and "Got 4 results" in build.stdout
    con = duckdb.connect(str(tmp / "budget.duckdb"), read_only=True)
    yield con
    con.close()


def _by_city(con, sql: str) -> dict[str, tuple]:
    rows = con.execute(sql).fetchall()
    return {row[0]: tuple(row[1:]) for row in rows}


def test_overview_one_row_per_city(warehouse):
    rows = _by_city(
        warehouse,
        """select city_name_zh, fiscal_year, expenditure_total, expenditure_basic,
                  expenditure_project, revenue_total, three_public_total
           from mart_budget_overview""",
    )
    assert rows == {
        CITY["anyang"]: (2024, D("31029.76"), D("30902.76"), D("127"), D("31029.76"), D("7")),
        CITY["changzhi"]: (2024, D("1802.52"), D("1590.82"), D("211.70"), D("1802.52"), D("2.30")),
        CITY["jiyuan"]: (2021, D("503.7"), D("200.5"), D("303.2"), D("503.7"), D("3.4")),
        CITY["urumqi"]: (2024, D("4461.66"), D("3048.31"), D("1413.35"), D("4461.66"), D("25.15")),
        CITY["xiamen"]: (2024, D("2759.64"), D("2441.53"), D("318.11"), D("2759.64"), D("2.01")),
    }


def test_personnel_and_public_expenditure(warehouse):
    rows = _by_city(
        warehouse,
        "select city_name_zh, expenditure_personnel, expenditure_public from mart_budget_overview",
    )
    # 基本支出 economic tables, 合计 row: 人员经费 / 公用经费
    assert rows[CITY["anyang"]] == (D("30617.19"), D("285.56"))
    assert rows[CITY["changzhi"]] == (D("1404.61"), D("186.21"))
    assert rows[CITY["urumqi"]] == (D("2746.83"), D("301.48"))
    assert rows[CITY["xiamen"]] == (D("2041.13"), D("400.40"))


def test_housing_fund_management_2210302(warehouse):
    rows = _by_city(
        warehouse,
        """select d.city_name_zh, f.total_amount, f.basic_amount, f.project_amount
           from fct_expenditure_by_function as f
           join dim_document as doc using (document_id)
           join dim_department as d on doc.department_id = d.department_id
           where f.function_code = '2210302' and f.budget_scope = 'all_funds'""",
    )
    assert rows == {
        CITY["anyang"]: (D("27892.32"), D("27765.32"), D("127")),
        CITY["changzhi"]: (D("45.47"), D("0"), D("45.47")),
        CITY["jiyuan"]: (D("503.7"), D("200.5"), D("303.2")),
        CITY["urumqi"]: (D("4108.82"), D("2716.47"), D("1392.35")),
        CITY["xiamen"]: (D("1918.54"), D("1681.54"), D("237.00")),
    }


@pytest.mark.parametrize(
    ("city", "dept_code", "gov_code", "amount", "resolution"),
    [
        ("anyang", "30113", "50103", "29529.95", "printed"),
        ("anyang", "30101", "50101", "228.35", "printed"),
        ("anyang", "30302", "50905", "27.83", "printed"),
        ("changzhi", "30101", "50101", "172.24", "name_matched"),  # 基本工资 / 工资奖金津补贴
        ("changzhi", "30101", "50501", "268.92", "name_matched"),  # 基本工资 / 工资福利支出
        ("changzhi", "30239", "50201", "30.15", "name_matched"),  # 其他交通费用 / 办公经费
        ("jiyuan", "30113", "50501", "9.5", "printed"),
        ("jiyuan", "30107", "50501", "33.8", "printed"),
        ("jiyuan", "30302", "50905", "8.1", "printed"),
        ("urumqi", "30101", None, "568.54", "printed"),
        ("urumqi", "30199", None, "780.00", "printed"),
        ("urumqi", "30231", None, "24.15", "printed"),
        ("xiamen", "30239", None, "53.00", "printed"),
        ("xiamen", "30226", None, "189.04", "printed"),
        ("xiamen", "31002", None, "1.00", "printed"),
    ],
)
def test_basic_expenditure_by_economic_code(
    warehouse, city, dept_code, gov_code, amount, resolution
):
    rows = warehouse.execute(
        """select f.gov_economic_code, f.amount, f.code_resolution
           from fct_expenditure_by_economic as f
           join dim_document as doc using (document_id)
           join dim_department as d on doc.department_id = d.department_id
           where d.city_name_zh = ? and f.expenditure_type = 'basic' and f.dept_economic_code = ?
             and f.gov_economic_code is not distinct from coalesce(?, f.gov_economic_code)""",
        [CITY[city], dept_code, gov_code],
    ).fetchall()
    assert len(rows) == 1, rows
    printed_gov, value, how = rows[0]
    assert value == D(amount) and how == resolution
    if gov_code:
        assert printed_gov == gov_code


def test_three_public_costs(warehouse):
    rows = warehouse.execute(
        """select d.city_name_zh, f.category, f.amount
           from fct_three_public_costs as f
           join dim_document as doc using (document_id)
           join dim_department as d on doc.department_id = d.department_id
           where f.amount <> 0 order by all"""
    ).fetchall()
    assert rows == sorted(
        [
            (CITY["anyang"], "official_reception", D("3")),
            (CITY["anyang"], "vehicle_operation", D("4")),
            (CITY["changzhi"], "official_reception", D("0.30")),
            (CITY["changzhi"], "vehicle_operation", D("2.00")),
            (CITY["jiyuan"], "official_reception", D("0.2")),
            (CITY["jiyuan"], "vehicle_operation", D("3.2")),
            (CITY["urumqi"], "official_reception", D("1.00")),
            (CITY["urumqi"], "vehicle_operation", D("24.15")),
            (CITY["xiamen"], "official_reception", D("2.01")),
        ]
    )
    # four categories per document, blanks as zero
    assert warehouse.execute("select count(*) from fct_three_public_costs").fetchone()[0] == 20


def test_projects_and_carryover(warehouse):
    rows = _by_city(
        warehouse,
        """select d.city_name_zh, count(*) filter (where not p.is_carryover),
                  sum(p.amount) filter (where not p.is_carryover),
                  sum(p.amount) filter (where p.is_carryover)
           from fct_projects as p
           join dim_document as doc using (document_id)
           join dim_department as d on doc.department_id = d.department_id
           group by all""",
    )
    assert rows[CITY["anyang"]] == (5, D("127"), D("54.91"))
    assert rows[CITY["changzhi"]] == (9, D("211.70"), None)
    assert rows[CITY["urumqi"]] == (13, D("1357.42"), D("55.93"))


def test_findings_are_the_real_inconsistencies(warehouse):
    failed = warehouse.execute(
        """select d.city_name_zh, f.rule_id, f.severity, f.source_line
           from fct_dq_findings as f
           join dim_document as doc using (document_id)
           join dim_department as d on doc.department_id = d.department_id
           where f.status = 'fail' order by all"""
    ).fetchall()
    xiamen = CITY["xiamen"]
    assert failed == sorted(
        [
            # the TOC lists tables the document does not print
            (CITY["anyang"], "R09", "warning", 39),  # 部门预算表
            (CITY["jiyuan"], "R09", "warning", 15),  # 部门收支总体情况表
            (CITY["jiyuan"], "R09", "warning", 16),  # 部门收入总体情况表
            (CITY["jiyuan"], "R09", "warning", 20),  # 支出经济分类汇总表
            (xiamen, "R09", "warning", 29),  # 部门收入预算总体情况表
            # 2101101 and 2101103 printed under 21014 in 部门支出预算总体情况表
            (xiamen, "R05", "error", 346),
            (xiamen, "R05", "error", 347),
            # 行政事业单位医疗 21011/21014, 职业年金缴费支出 2080506/2080509 in the two tables
            (xiamen, "R06", "error", 343),
            (xiamen, "R06", "error", 345),
            # the same two: the printed name is attested for the other code
            (xiamen, "R07", "warning", 345),
            (xiamen, "R07", "warning", 407),
        ]
    )
    message = warehouse.execute(
        "select message from fct_dq_findings where rule_id = 'R06' and message like '%年金%'"
    ).fetchone()[0]
    assert "2080506" in message and "2080509" in message and "line 407" in message


def test_a_code_missing_from_the_partial_list_is_no_finding(warehouse):
    # 2210302 住房公积金管理, printed by all five centres, is not in the partial reference list:
    # nothing says the documents are wrong, so no finding, but the check keeps it
    findings = warehouse.execute(
        "select count(*) from fct_dq_findings where rule_id = 'R07' and subject like '%2210302%'"
    ).fetchone()[0]
    checks = warehouse.execute(
        "select distinct status from int_dq_checks where rule_id = 'R07' "
        "and subject = 'function code 2210302 住房公积金管理'"
    ).fetchall()
    source = warehouse.execute(
        "select source from dim_function_classification where function_code = '2210302'"
    ).fetchone()[0]
    assert (findings, checks, source) == (0, [("unattested",)], "printed_only")
    # every R07 finding left is a likely misprint the list gives evidence for
    messages = [
        m
        for (m,) in warehouse.execute(
            "select message from fct_dq_findings where rule_id = 'R07'"
        ).fetchall()
    ]
    assert messages and all(
        "may be misprinted" in m or "the reference list names it" in m for m in messages
    )


def test_rounding_differences_are_within_tolerance_not_findings(warehouse):
    # Anyang 基本支出 items sum to 30902.77 against a printed 30902.76: a rounding difference
    check = warehouse.execute(
        """select status, difference, tolerance from int_dq_checks
           where rule_id = 'R01' and subject like '%line 333 合计 [total]'"""
    ).fetchone()
    assert check == ("pass", D("-0.01"), D("0.25"))


def test_comments_are_persisted(warehouse):
    comment = warehouse.execute(
        "select comment from duckdb_tables() where table_name = 'fct_expenditure_by_function'"
    ).fetchone()[0]
    assert "Grain" in comment or "grain" in comment


# A real row changed in one column, and the mart-contract constraint that must refuse it.
CONTRACT_BREACHES = [
    ("fct_three_public_costs", "", "primary key"),  # the same document and category twice
    ("fct_three_public_costs", "'actual' as amount_basis", "CHECK"),
    ("fct_three_public_costs", "'taxi' as category", "CHECK"),
    ("fct_three_public_costs", "-1 as amount", "CHECK"),
    ("fct_three_public_costs", "false as is_printed, 5 as amount", "CHECK"),
    ("fct_expenditure_by_function", "null as function_code", "NOT NULL"),
    ("fct_expenditure_by_function", "'99' as class_code", "CHECK"),  # not the code's prefix
    ("fct_projects", "0 as n_printed_rows", "CHECK"),
    ("dim_document", "1999 as fiscal_year, 'x' as document_id", "CHECK"),
    ("dim_document", "'x' as document_id", "unique"),  # a second budget of one department-year
    ("fct_dq_findings", "'warn' as severity", "CHECK"),
]


@pytest.mark.parametrize(("table", "change", "refused_by"), CONTRACT_BREACHES)
def test_the_mart_contract_refuses_a_bad_row(warehouse, tmp_path, table, change, refused_by):
    path = warehouse.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(Path(path).read_bytes())
    key_breach = refused_by in ("primary key", "unique")
    with duckdb.connect(str(copy)) as con:
        con.execute(f"create temp table original as select * from {table} order by all limit 1")
        con.execute(f"delete from {table}")
        if key_breach:  # the real row is there first; the breach is a second row with its key
            con.execute(f"insert into {table} select * from original")
        columns = f"* replace ({change})" if change else "*"
        with pytest.raises(duckdb.ConstraintException, match=refused_by):
            con.execute(f"insert into {table} select {columns} from original")
        if not key_breach:  # the real row itself goes in: only the change is refused
            con.execute(f"insert into {table} select * from original")
        assert con.execute(f"select count(*) from {table}").fetchone()[0] == 1


def test_every_class_in_the_facts_has_an_english_name_and_a_cofog_division(warehouse):
    # 2210302 住房公积金管理, the core item of every sample, is in 221 住房保障支出
    row = warehouse.execute(
        "select class_name_en, cofog_division, cofog_name_en from dim_function_classification"
        " where function_code = '2210302'"
    ).fetchone()
    assert row == ("Housing security", "06", "Housing and community amenities")
    # every function class the samples print is labelled (this project's translation)
    unlabelled = warehouse.execute(
        "select distinct f.class_code from fct_expenditure_by_function as f"
        " join dim_function_classification as d using (function_code)"
        " where d.class_name_en is null or d.cofog_division is null"
    ).fetchall()
    assert unlabelled == []
    labels = dict(
        warehouse.execute(
            "select scheme || ':' || economic_code, class_name_en"
            " from dim_economic_classification where level = 'class'"
        ).fetchall()
    )
    assert labels["department:301"] == "Wages and benefits"
    assert labels["government:502"] == "Goods and services of government agencies"


def test_every_code_in_a_fact_has_a_name(warehouse):
    unnamed = warehouse.execute(
        """
        select 'function', f.function_code from fct_expenditure_by_function as f
        left join dim_function_classification as d using (function_code)
        where d.name_zh is null
        union all
        select 'project', p.function_code from fct_projects as p
        left join dim_function_classification as d using (function_code)
        where p.function_code is not null and d.name_zh is null
        union all
        select e.expenditure_type, coalesce(e.dept_economic_code, e.gov_economic_code)
        from fct_expenditure_by_economic as e
        left join dim_economic_classification as dd
            on dd.scheme = 'department' and dd.economic_code = e.dept_economic_code
        left join dim_economic_classification as dg
            on dg.scheme = 'government' and dg.economic_code = e.gov_economic_code
        where (e.dept_economic_code is not null and dd.name_zh is null)
            or (e.gov_economic_code is not null and dg.name_zh is null)
        """
    ).fetchall()
    assert unnamed == []
    # Anyang's 上年结转 projects are the only rows with 2120899, not in the partial reference
    # list: its name is the 功能分类名称 the project table prints (cut short in the cell)
    assert warehouse.execute(
        "select name_zh, source from dim_function_classification where function_code = '2120899'"
    ).fetchone() == ("其他国有土地使用权出让收入安排的支", "printed_only")


def test_overview_and_findings_name_city_and_department(warehouse):
    names = dict(
        warehouse.execute("select city_name_zh, city_name_en from mart_budget_overview").fetchall()
    )
    assert names[CITY["urumqi"]] == "Urumqi" and names[CITY["changzhi"]] == "Changzhi"
    # every finding says whose document it is
    rows = warehouse.execute(
        "select distinct f.department_name_as_printed, d.department_name_as_printed"
        " from fct_dq_findings as f join dim_document as d using (document_id)"
    ).fetchall()
    assert rows and all(found == printed for found, printed in rows)
    (missing,) = warehouse.execute(
        "select count(*) from fct_dq_findings where department_id is null or fiscal_year is null"
    ).fetchone()
    assert missing == 0


def test_counted_once_rows_sum_to_each_documents_printed_total(warehouse):
    # the printed expenditure total (收支总表) against the sum of the fact rows to count once; a
    # 万元 table rounds each row, so 0.01 per summed row is the documents' own tolerance
    rows = warehouse.execute(
        """select o.city_name_zh, o.expenditure_total,
                  sum(f.total_amount) filter (where f.is_counted_once),
                  count(*) filter (where f.is_counted_once), sum(f.total_amount)
           from mart_budget_overview as o
           join fct_expenditure_by_function as f using (document_id)
           group by all"""
    ).fetchall()
    assert len(rows) == 5
    for city, printed, once, n, everything in rows:
        assert abs(once - printed) <= D("0.01") * n, city
        assert everything > printed + 1, city  # the scopes overlap: never sum them all
    by_city = {city: once for city, _, once, _, _ in rows}
    assert by_city[CITY["anyang"]] == D("31029.76")  # 收支总表 支出总计 31,029.76


def test_every_query_of_the_readme_runs(warehouse):
    # the README's SQL is what a new analyst pastes first: each block must run on the marts
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    queries = re.findall(r"```sql\n(.*?)```", readme, re.S)
    assert len(queries) >= 5
    for query in queries:
        assert warehouse.execute(query).fetchall(), query
