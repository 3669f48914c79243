"""Shared fixtures: the five sample documents, parsed once per test session."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest

from loaders.document import ParsedDocument, parse_document
from loaders.interpret import Context, interpret
from loaders.segment import segment
from loaders.text import decode

DOCUMENTS = Path(__file__).resolve().parent.parent / "data" / "documents"
SAMPLES = {
    "anyang": "anyang_housing_fund_2024_budget.txt",
    "changzhi": "changzhi_housing_fund_2024_budget.txt",
    "jiyuan": "jiyuan_housing_fund_2021_budget.txt",
    "urumqi": "urumqi_housing_fund_2024_budget.txt",
    "xiamen": "xiamen_housing_fund_2024_budget.txt",
}


def parse_path(path: Path) -> ParsedDocument:
    """Parse one file as the loader does."""
    data = path.read_bytes()
    decoded = decode(data, path.name)
    return parse_document(
        decoded.text, path.name, hashlib.sha256(data).hexdigest(), decoded.encoding
    )


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
    parsed = parse_document(text, source, "", "utf-8")
    ctx = Context(parsed.document_id, source, parsed.document["department_names_seen"].split("|"))
    positions: dict[int, set[int]] = {}
    for table in segment(text):
        for line, col in interpret(table, ctx).positions:
            positions.setdefault(line, set()).add(col)
    return positions
