"""Shared fixtures: the five sample documents, parsed once per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from loaders.document import ParsedDocument, parse_bytes, parse_document
from loaders.interpret import Context, interpret
from loaders.segment import segment
from loaders.text import decode, read_text

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ROOT / "data" / "documents"
SAMPLES = {
    "anyang": "anyang_housing_fund_2024_budget.txt",
    "changzhi": "changzhi_housing_fund_2024_budget.txt",
    "jiyuan": "jiyuan_housing_fund_2021_budget.txt",
    "urumqi": "urumqi_housing_fund_2024_budget.txt",
    "xiamen": "xiamen_housing_fund_2024_budget.txt",
}


def parse_path(path: Path) -> ParsedDocument:
    """Parse one file as the loader does."""
    return parse_bytes(path.read_bytes(), path.name)


@pytest.fixture(scope="session")
def parsed() -> dict[str, ParsedDocument]:
    """The five sample documents, parsed."""
    return {key: parse_path(DOCUMENTS / name) for key, name in SAMPLES.items()}


def rows(doc: ParsedDocument, dataset: str, **where) -> list[dict]:
    """Rows of a dataset matching every ``column=value`` given."""
    return [r for r in doc.datasets[dataset] if all(r.get(k) == v for k, v in where.items())]


def amount(doc: ParsedDocument, dataset: str, **where) -> Decimal:
    """The single amount matching the filter (fails if there is not exactly one)."""
    found = rows(doc, dataset, **where)
    assert len(found) == 1, f"expected one row for {where}, found {len(found)}"
    return found[0]["amount"]


def amount_positions(text: str, source: str) -> dict[int, set[int]]:
    """Line -> columns of the cells the parser lands as amounts (to derive test documents)."""
    document = read_text(decode(text.encode("utf-8"), source))
    parsed = parse_document(document, source, "")
    ctx = Context(parsed.document_id, source, parsed.document["department_names_seen"].split("|"))
    positions: dict[int, set[int]] = {}
    for table in segment(document):
        for line, col in interpret(table, ctx).positions:
            positions.setdefault(line, set()).add(col)
    return positions


def build_warehouse(docs: Path, tmp: Path) -> subprocess.CompletedProcess:
    """Load ``docs`` and run one ``dbt build`` into ``tmp/budget.duckdb``, as the CLI does.

    Returns the dbt run (its output is asserted by the callers); the load must succeed.
    """
    env = {
        **os.environ,
        "BUDGET_LANDED_PATH": str(tmp / "landed"),
        "BUDGET_WAREHOUSE_PATH": str(tmp / "budget.duckdb"),
    }
    load = subprocess.run(
        [sys.executable, "-m", "loaders", "load", str(docs), "--quiet"],
        env=env, cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert load.returncode == 0, load.stdout + load.stderr
    dbt = Path(sys.executable).parent / "dbt"
    build = subprocess.run(
        [str(dbt), "build", "--project-dir", ".", "--profiles-dir", ".",
         "--target-path", str(tmp / "target")],
        env=env, cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert build.returncode == 0, build.stdout[-5000:]
    return build
