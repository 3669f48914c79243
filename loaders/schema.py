"""The landed-data contract: one Parquet dataset per table family.

Every dataset lands under ``<out>/<dataset>/part-<batch>.parquet``. dbt declares them as sources
(``models/staging/_landed__sources.yml``); change a column here and there together.

Amounts are exact decimals in 万元 (``decimal128(20, 6)``), converted from the printed unit with
an exact factor; ``amount_as_printed`` keeps the printed text. Blank cells are not landed (a blank
means zero/none, and dbt treats a missing measure as zero where it sums).

The typed family datasets are long ("tidy"): one row per printed numeric cell, with ``measure``
naming the column from a controlled vocabulary (``loaders.settings``) and ``measure_header`` the
printed header path of that column. So every printed amount lands exactly once.
"""

from __future__ import annotations

import pyarrow as pa

AMOUNT = pa.decimal128(20, 6)

PROVENANCE = [
    pa.field("document_id", pa.string(), nullable=False),
    pa.field("table_id", pa.string(), nullable=False),
    pa.field("source_line", pa.int32(), nullable=False),
    # 1-based page of the printed row (PDF pages; form-feed pages of text input)
    pa.field("source_page", pa.int32(), nullable=False),
]

MEASURE = [
    pa.field("row_role", pa.string(), nullable=False),
    pa.field("measure", pa.string(), nullable=False),
    pa.field("measure_header", pa.string()),
    pa.field("amount", AMOUNT, nullable=False),
    pa.field("amount_as_printed", pa.string(), nullable=False),
]

SCHEMAS: dict[str, pa.Schema] = {
    # one row per loaded document
    "documents": pa.schema(
        [
            pa.field("document_id", pa.string(), nullable=False),
            pa.field("content_sha256", pa.string(), nullable=False),
            pa.field("source_file", pa.string(), nullable=False),
            pa.field("source_sha256", pa.string(), nullable=False),
            pa.field("encoding", pa.string(), nullable=False),
            pa.field("source_format", pa.string(), nullable=False),
            pa.field("page_count", pa.int32(), nullable=False),
            pa.field("disclosure_level", pa.string()),
            # complete, or one part of a disclosure published as two files (narrative / tables)
            pa.field("disclosure_part", pa.string(), nullable=False),
            pa.field("title", pa.string()),
            pa.field("department_name", pa.string()),
            pa.field("department_names_seen", pa.string()),
            pa.field("fiscal_year", pa.int32()),
            pa.field("disclosure_kind", pa.string()),
            pa.field("unit_as_printed", pa.string()),
            pa.field("tables_found", pa.int32(), nullable=False),
            pa.field("tables_recognised", pa.int32(), nullable=False),
            pa.field("toc_tables", pa.string()),
            pa.field("parser_version", pa.string(), nullable=False),
            # what made the rows: the loaders' sources and libraries (loaders.version)
            pa.field("parser_fingerprint", pa.string(), nullable=False),
        ]
    ),
    # one row per table found (recognised or not, empty or not)
    "tables": pa.schema(
        [
            pa.field("document_id", pa.string(), nullable=False),
            pa.field("table_id", pa.string(), nullable=False),
            pa.field("table_index", pa.int32(), nullable=False),
            pa.field("title", pa.string(), nullable=False),
            pa.field("title_as_printed", pa.string(), nullable=False),
            pa.field("family", pa.string(), nullable=False),
            pa.field("budget_scope", pa.string()),
            pa.field("is_carryover", pa.bool_()),
            pa.field("unit_as_printed", pa.string()),
            pa.field("unit_factor", pa.string()),
            pa.field("department_line", pa.string()),
            pa.field("header_text", pa.string()),
            pa.field("first_line", pa.int32(), nullable=False),
            pa.field("last_line", pa.int32(), nullable=False),
            pa.field("n_parts", pa.int32(), nullable=False),
            pa.field("n_body_rows", pa.int32(), nullable=False),
            pa.field("is_empty", pa.bool_(), nullable=False),
            pa.field("empty_note", pa.string()),
            pa.field("layout_note", pa.string()),
        ]
    ),
    # every printed cell of every table (header and body), so nothing printed is lost
    "cells": pa.schema(
        [
            pa.field("document_id", pa.string(), nullable=False),
            pa.field("table_id", pa.string(), nullable=False),
            pa.field("row_index", pa.int32(), nullable=False),
            pa.field("col_index", pa.int32(), nullable=False),
            pa.field("is_header", pa.bool_(), nullable=False),
            pa.field("header_path", pa.string()),
            pa.field("cell_text", pa.string(), nullable=False),
            pa.field("source_line", pa.int32(), nullable=False),
            pa.field("source_page", pa.int32(), nullable=False),
            # the cell's bounding box on its page (PDF input only): points from the top left
            pa.field("bbox_x0", pa.float32()),
            pa.field("bbox_top", pa.float32()),
            pa.field("bbox_x1", pa.float32()),
            pa.field("bbox_bottom", pa.float32()),
        ]
    ),
    # tables the document's table of contents lists, and the table each refers to
    "toc_entries": pa.schema(
        [
            pa.field("document_id", pa.string(), nullable=False),
            pa.field("source_line", pa.int32(), nullable=False),
            pa.field("title_as_printed", pa.string(), nullable=False),
            pa.field("title", pa.string(), nullable=False),
            pa.field("family", pa.string(), nullable=False),
            pa.field("budget_scope", pa.string()),
            pa.field("is_carryover", pa.bool_(), nullable=False),
            pa.field("matched_table_id", pa.string()),
        ]
    ),
    # 收支总表 and 财政拨款收支总表 (two-sided: revenue | expenditure by function class)
    "summary_rows": pa.schema(
        [
            *PROVENANCE,
            pa.field("table_kind", pa.string(), nullable=False),
            pa.field("side", pa.string(), nullable=False),
            pa.field("item_label", pa.string(), nullable=False),
            pa.field("ordinal", pa.string()),
            pa.field("class_code", pa.string()),
            pa.field("class_name", pa.string()),
            *MEASURE,
        ]
    ),
    # 收入总表 (revenue by source; by unit or by function code where printed)
    "revenue_rows": pa.schema(
        [
            *PROVENANCE,
            pa.field("unit_code", pa.string()),
            pa.field("function_code", pa.string()),
            pa.field("code_as_printed", pa.string()),
            pa.field("row_label", pa.string()),
            *MEASURE,
        ]
    ),
    # 部门支出总表 / 一般公共预算支出表 / 政府性基金支出表: expenditure by function code
    "function_rows": pa.schema(
        [
            *PROVENANCE,
            pa.field("budget_scope", pa.string(), nullable=False),
            pa.field("unit_code", pa.string()),
            pa.field("function_code", pa.string()),
            pa.field("code_as_printed", pa.string()),
            pa.field("function_name", pa.string()),
            *MEASURE,
        ]
    ),
    # 基本支出 by economic classification and 支出经济分类汇总表
    "economic_rows": pa.schema(
        [
            *PROVENANCE,
            pa.field("table_kind", pa.string(), nullable=False),
            pa.field("dept_economic_code", pa.string()),
            pa.field("dept_code_as_printed", pa.string()),
            pa.field("dept_economic_name", pa.string()),
            pa.field("gov_economic_code", pa.string()),
            pa.field("gov_code_as_printed", pa.string()),
            pa.field("gov_economic_name", pa.string()),
            pa.field("parse_note", pa.string()),
            # which group of columns printed side by side the row is in (1 = leftmost; 1 for a
            # table printed in one group)
            pa.field("column_group", pa.int32(), nullable=False),
            *MEASURE,
        ]
    ),
    # 三公经费
    "three_public_rows": pa.schema(
        [
            *PROVENANCE,
            pa.field("category", pa.string(), nullable=False),
            pa.field("label_as_printed", pa.string(), nullable=False),
            # budget / adjusted_budget / final: from the column's header, else the document's
            # own (a budget's budget figures, a 决算's actuals)
            pa.field("amount_basis", pa.string(), nullable=False),
            *MEASURE,
        ]
    ),
    # 项目支出 (this year) and 上年结转 project lists
    "project_rows": pa.schema(
        [
            *PROVENANCE,
            pa.field("is_carryover", pa.bool_(), nullable=False),
            pa.field("budget_unit", pa.string()),
            pa.field("project_name", pa.string()),
            pa.field("project_category", pa.string()),
            pa.field("function_code", pa.string()),
            pa.field("function_name", pa.string()),
            pa.field("dept_economic_code", pa.string()),
            pa.field("gov_economic_code", pa.string()),
            pa.field("fund_nature", pa.string()),
            *MEASURE,
        ]
    ),
    # 机关运行经费 where it is printed as a table
    "operating_cost_rows": pa.schema(
        [
            *PROVENANCE,
            pa.field("row_label", pa.string(), nullable=False),
            *MEASURE,
        ]
    ),
    # 绩效目标表, 政府采购 and 购买服务 tables (loaders.forms): every value with its labels
    "form_values": pa.schema(
        [
            *PROVENANCE,
            # 0-based column of the cell (joins to cells.col_index for its bounding box)
            pa.field("col_index", pa.int32(), nullable=False),
            pa.field("family", pa.string(), nullable=False),
            # the project (unit, transfer, department) the row is about, where printed
            pa.field("subject", pa.string()),
            pa.field("row_label", pa.string()),
            pa.field("column_label", pa.string()),
            pa.field("row_role", pa.string(), nullable=False),
            # amount (money, in 万元) / indicator / weight / quantity / remark
            pa.field("value_kind", pa.string(), nullable=False),
            # the money unit of an amount, the printed unit of measure of another value
            pa.field("unit_as_printed", pa.string()),
            # the number as printed, unconverted
            pa.field("printed_number", AMOUNT, nullable=False),
            # an amount converted to 万元 (null for values that are not money)
            pa.field("amount", AMOUNT),
            pa.field("value_as_printed", pa.string(), nullable=False),
        ]
    ),
    # per document and table: numeric cells printed vs landed in typed rows
    "coverage": pa.schema(
        [
            pa.field("document_id", pa.string(), nullable=False),
            pa.field("table_id", pa.string(), nullable=False),
            pa.field("family", pa.string(), nullable=False),
            pa.field("numeric_cells_printed", pa.int32(), nullable=False),
            pa.field("numeric_cells_landed", pa.int32(), nullable=False),
            pa.field("numeric_cells_landed_twice", pa.int32(), nullable=False),
            # complete / incomplete / empty / not_typed (numbers kept in cells only)
            pa.field("status", pa.string(), nullable=False),
            # why a table is not complete (null when it is)
            pa.field("reason", pa.string()),
        ]
    ),
    # what the parser noticed: short rows, repaired headers, unknown layouts, unparsable amounts
    "parse_notes": pa.schema(
        [
            pa.field("document_id", pa.string(), nullable=False),
            pa.field("table_id", pa.string()),
            pa.field("source_line", pa.int32()),
            pa.field("severity", pa.string(), nullable=False),
            pa.field("code", pa.string(), nullable=False),
            pa.field("message", pa.string(), nullable=False),
        ]
    ),
}

TYPED_FAMILY_DATASETS = {
    "summary": "summary_rows",
    "fiscal_summary": "summary_rows",
    "government_fund_summary": "summary_rows",
    "revenue": "revenue_rows",
    "expenditure_by_function": "function_rows",
    "basic_by_function": "function_rows",
    "basic_by_economic": "economic_rows",
    "economic_summary": "economic_rows",
    "three_public": "three_public_rows",
    "projects": "project_rows",
    "operating_cost": "operating_cost_rows",
}
