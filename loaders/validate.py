"""The validation gate: great-expectations suites on the landed rows, before dbt sees them.

One suite per dataset (schema, code formats, non-null provenance, value ranges, vocabularies),
run once per batch over all of the batch's documents. A document with a failing row is
quarantined with the failed expectations as its reasons; the others go on.
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
logging.getLogger("great_expectations").setLevel(logging.ERROR)

import great_expectations as gx  # noqa: E402 - after switching analytics off
from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402
from great_expectations.expectations.row_conditions import Column  # noqa: E402

from loaders import settings as s  # noqa: E402
from loaders.schema import SCHEMAS  # noqa: E402


def _measures(family: str, *extra: str) -> list[str]:
    """A dataset's measure vocabulary: what the family's header rules map to, plus ``extra``."""
    return sorted({m for _, m in s.MEASURE_RULES[family]} | set(extra))


# The per-row checks of the landed rows live here and run once per batch, before the rows land;
# dbt's staging tests keep only what crosses documents and batches (grain uniqueness).
# Vocabularies per dataset and column (the loaders produce exactly these values).
ACCEPTED_VALUES: dict[str, dict[str, list[str]]] = {
    "documents": {
        "disclosure_kind": ["budget", "final_accounts"],
        "disclosure_level": ["department", "unit"],
        "disclosure_part": ["complete", "narrative", "tables"],
        "source_format": list(s.SOURCE_FORMATS),
    },
    "tables": {
        "budget_scope": list(s.BUDGET_SCOPES),
        "family": list(s.FAMILIES),
    },
    "form_values": {
        "family": list(s.FORM_VALUE_FAMILIES),
        "row_role": ["total", "item"],
        "value_kind": list(s.FORM_VALUE_KIND_VALUES),
    },
    "function_rows": {
        "budget_scope": list(s.BUDGET_SCOPES),
        "measure": _measures("expenditure_by_function", s.OF_WHICH_MEASURE),
        "row_role": ["total", "unit", "class", "section", "item"],
    },
    "economic_rows": {
        "measure": _measures("basic_by_economic", "by_source", s.OF_WHICH_MEASURE),
        "row_role": ["total", "unit", "class", "item"],
        "table_kind": ["basic_by_economic", "economic_summary"],
    },
    "operating_cost_rows": {
        "measure": _measures("operating_cost"),
        "row_role": ["total", "unit"],
    },
    "project_rows": {
        "measure": _measures("projects", s.OF_WHICH_MEASURE),
        "row_role": ["total", "unit", "class", "section", "item"],
    },
    "revenue_rows": {
        "measure": _measures("revenue", s.OF_WHICH_MEASURE),
        "row_role": ["total", "unit", "class", "section", "item"],
    },
    "summary_rows": {
        "measure": _measures("summary", *s.SUMMARY_EXTRA_MEASURES),
        "row_role": ["item", "sub_item", "subtotal", "carryover", "year_end", "total"],
        "side": ["revenue", "expenditure"],
        "table_kind": list(s.SUMMARY_KINDS.values()),
    },
    "three_public_rows": {
        "category": list(s.THREE_PUBLIC_CATEGORY_VALUES),
        "measure": _measures("three_public", "by_unit"),
        "amount_basis": list(s.AMOUNT_BASES),
    },
}  # fmt: skip
# columns the schema allows to be null but every landed row of the dataset has (a table
# without a label column prints its total row with no label: total rows are exempt)
NOT_NULL = {"revenue_rows": ["row_label"]}

CODE_FORMATS = {
    "function_rows": {"function_code": r"^\d{3}(?:\d{2}){0,2}$"},
    "revenue_rows": {"function_code": r"^\d{3}(?:\d{2}){0,2}$"},
    "economic_rows": {
        "dept_economic_code": r"^\d{3}(?:\d{2})?$",
        "gov_economic_code": r"^\d{3}(?:\d{2})?$",
    },
    "project_rows": {"function_code": r"^\d{3}(?:\d{2}){0,2}$"},
}
ROW_ROLES = {
    "total",
    "unit",
    "class",
    "section",
    "item",
    "sub_item",
    "subtotal",
    "carryover",
    "year_end",
}
PRINTED_NUMBER = r"^\s*[-−]?[\d,，.．０-９\s]+\s*$"
MAX_AMOUNT = 1_000_000_000  # 万元: ten trillion yuan, far above any department's budget


@dataclass
class GateResult:
    """What the gate found: failures by document, and a readable report."""

    failures: dict[str, list[str]] = field(default_factory=dict)
    report: list[str] = field(default_factory=list)
    expectations_run: int = 0


def _suite_for(dataset: str) -> list[Any]:
    e = gx.expectations
    schema = SCHEMAS[dataset]
    out: list[Any] = [
        e.ExpectTableColumnsToMatchSet(column_set=list(schema.names), exact_match=True)
    ]
    for f in schema:
        if not f.nullable:
            out.append(e.ExpectColumnValuesToNotBeNull(column=f.name))
    for column in NOT_NULL.get(dataset, []):
        out.append(
            e.ExpectColumnValuesToNotBeNull(
                column=column, row_condition=Column("row_role") != "total"
            )
        )
    for column, regex in CODE_FORMATS.get(dataset, {}).items():
        out.append(e.ExpectColumnValuesToMatchRegex(column=column, regex=regex))
    vocabularies = ACCEPTED_VALUES.get(dataset, {})
    for column, values in vocabularies.items():
        out.append(e.ExpectColumnValuesToBeInSet(column=column, value_set=values))
    if "measure" in schema.names:
        if "row_role" not in vocabularies:
            out.append(
                e.ExpectColumnValuesToBeInSet(column="row_role", value_set=sorted(ROW_ROLES))
            )
        out += _amount_checks("amount_as_printed")
    if dataset == "form_values":
        out += _amount_checks("value_as_printed")
        out.append(
            e.ExpectColumnValuesToNotBeNull(
                column="amount", row_condition=Column("value_kind") == s.FORM_AMOUNT_KIND
            )
        )
    if "source_line" in schema.names:
        out.append(e.ExpectColumnValuesToBeBetween(column="source_line", min_value=1))
    if dataset == "documents":
        out.append(
            e.ExpectColumnValuesToBeBetween(column="fiscal_year", min_value=1990, max_value=2100)
        )
        out.append(e.ExpectColumnValuesToBeUnique(column="document_id"))
    return out


def _amount_checks(printed: str) -> list[Any]:
    """An amount in range, and its printed text a number (thousands separators, full width)."""
    e = gx.expectations
    return [
        e.ExpectColumnValuesToBeBetween(
            column="amount", min_value=-MAX_AMOUNT, max_value=MAX_AMOUNT
        ),
        e.ExpectColumnValuesToMatchRegex(column=printed, regex=PRINTED_NUMBER),
    ]


def prepare() -> None:
    """Build the gate's suites now (a long-running process validates its first batch sooner)."""
    _definitions()


@functools.cache
def _definitions() -> dict[str, tuple[Any, Any]]:
    """One ephemeral context with a (batch definition, suite) per dataset, built once per process.

    Building the suites costs about half a second; a long-running process (``loaders watch``)
    validates every later batch with the same suites.
    """
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("landed")
    definitions = {}
    for dataset in SCHEMAS:
        batch = source.add_dataframe_asset(dataset).add_batch_definition_whole_dataframe("batch")
        suite = context.suites.add(
            gx.ExpectationSuite(name=f"{dataset}_suite", expectations=_suite_for(dataset))
        )
        definitions[dataset] = (batch, suite)
    return definitions


def run_gate(frames: dict[str, pd.DataFrame]) -> GateResult:
    """Validate each dataset's rows of one batch.

    Args:
        frames: dataset name → the batch's rows (columns as in :mod:`loaders.schema`), with
            amounts as floats for the range checks.

    Returns:
        Failures by document id (each a readable reason) and a report of every expectation run.
    """
    definitions = _definitions()
    result = GateResult()
    for dataset, frame in frames.items():
        if frame.empty:
            result.report.append(f"{dataset}: no rows in this batch, nothing to validate")
            continue
        batch_definition, suite = definitions[dataset]
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
        # Batch.validate keeps no result in the context (a ValidationDefinition would store
        # every run: a long-running watcher would accumulate them). Pass/fail only first (about
        # half the cost); the failing rows by document only when something failed.
        run = batch.validate(suite, result_format="BOOLEAN_ONLY")
        if not run.success:
            run = batch.validate(
                suite,
                result_format={
                    "result_format": "COMPLETE",
                    "unexpected_index_column_names": ["document_id"],
                },
            )
        passed = sum(1 for r in run.results if r.success)
        result.expectations_run += len(run.results)
        result.report.append(
            f"{dataset}: {passed}/{len(run.results)} expectations passed on {len(frame)} rows"
        )
        for r in run.results:
            if r.success:
                continue
            config = r.expectation_config
            column = config.kwargs.get("column", "")
            rows = r.result.get("unexpected_index_list") or []
            reason = f"{dataset}.{column}: {config.type} failed"
            result.report.append(f"  FAILED {reason} ({len(rows)} rows)")
            documents = {row["document_id"] for row in rows if isinstance(row, dict)}
            if not documents:  # a table-level expectation: every document of the batch fails
                documents = set(frame["document_id"])
            for document_id in documents:
                examples = [
                    row.get(column) for row in rows if row.get("document_id") == document_id
                ][:3]
                result.failures.setdefault(document_id, []).append(
                    f"{reason}; e.g. {examples}" if examples else reason
                )
    return result
