"""Checks on the dbt CSV seeds that do not need a database.

dbt's own seed tests (seeds/_seeds.yml) check keys and code formats inside DuckDB; these check
what dbt cannot see: that every seed file is documented column by column, that code columns are
typed varchar (so leading zeros survive), that seeds hold no amounts, and that the names and
aliases said to be printed in the sample documents really are printed there.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

from loaders.document import read_document

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DOCUMENTS = ROOT / "data" / "documents"

SEED_FILES = sorted(p for p in SEEDS.rglob("*.csv") if "landed" not in p.relative_to(SEEDS).parts)
CODE_COLUMN = re.compile(r"(^|_)code$")
AMOUNT_COLUMN = re.compile(r"amount|total|budget_value|yuan", re.IGNORECASE)


def _seed_docs() -> dict[str, dict]:
    docs = yaml.safe_load((SEEDS / "_seeds.yml").read_text(encoding="utf-8"))
    return {seed["name"]: seed for seed in docs["seeds"]}


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), f"{path.name} starts with a UTF-8 BOM"
    text = raw.decode("utf-8")
    reader = csv.DictReader(text.splitlines())
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def _document_text() -> dict[str, str]:
    return {
        p.stem: re.sub(r"\s", "", read_document(p.read_bytes(), p.name).text)
        for p in sorted(DOCUMENTS.iterdir())
        if p.suffix in (".txt", ".pdf")
    }


def test_seed_files_exist():
    names = {p.stem for p in SEED_FILES}
    assert {
        "ref_function_classification",
        "ref_dept_economic_classification",
        "ref_gov_economic_classification",
        "ref_dept_to_gov_economic_mapping",
        "departments",
        "department_aliases",
        "function_class_names",
        "economic_name_aliases",
        "dq_rules",
    } <= names


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.stem)
def test_seed_is_documented_column_by_column(path: Path):
    header, rows = _read(path)
    assert rows, f"{path.name} has no rows"
    seed = _seed_docs().get(path.stem)
    assert seed is not None, f"{path.stem} is not documented in seeds/_seeds.yml"
    assert seed.get("description"), f"{path.stem} has no description"
    documented = [column["name"] for column in seed.get("columns", [])]
    assert documented == header, f"{path.stem}: columns in _seeds.yml differ from the CSV header"
    for column in seed["columns"]:
        assert column.get("description"), f"{path.stem}.{column['name']} has no description"
    column_types = seed.get("config", {}).get("column_types", {})
    assert set(column_types) == set(header), f"{path.stem}: every column needs a column_type"


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.stem)
def test_code_columns_are_varchar_digit_strings(path: Path):
    header, rows = _read(path)
    column_types = _seed_docs()[path.stem]["config"]["column_types"]
    for column in header:
        if CODE_COLUMN.search(column):
            assert column_types[column] == "varchar", f"{path.stem}.{column} must be varchar"
            for row in rows:
                value = row[column]
                assert value == "" or value.isdigit(), f"{path.stem}.{column}: {value!r}"


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.stem)
def test_seeds_hold_no_budget_amounts(path: Path):
    header, _ = _read(path)
    assert not [c for c in header if AMOUNT_COLUMN.search(c)], "budget numbers never go in seeds"


def test_function_class_names_are_printed_where_they_say():
    _, rows = _read(SEEDS / "function_class_names.csv")
    documents = _document_text()
    for row in rows:
        for stem in filter(None, row["printed_in"].split(";")):
            assert stem in documents, f"unknown document {stem}"
            assert row["name_zh"] in documents[stem], f"{row['name_zh']} not printed in {stem}"


def test_department_aliases_resolve_and_most_are_printed():
    _, departments = _read(SEEDS / "departments.csv")
    _, aliases = _read(SEEDS / "department_aliases.csv")
    department_ids = {row["department_id"] for row in departments}
    all_text = "".join(_document_text().values())
    for row in aliases:
        assert row["department_id"] in department_ids
        assert not re.search(r"\s", row["alias"]), "aliases are stored without whitespace"
        if "not printed" not in row["note"]:
            assert row["alias"] in all_text, f"{row['alias']} is not printed in any sample document"
    canonical = {row["department_name"] for row in departments}
    assert canonical <= {row["alias"] for row in aliases}, "every canonical name is an alias too"


def test_dq_rules_cover_r01_to_r10():
    _, rows = _read(SEEDS / "dq_rules.csv")
    assert [row["rule_id"] for row in rows] == [f"R{i:02d}" for i in range(1, 11)]
    assert {row["severity"] for row in rows} == {"error", "warning"}


def test_row_identities_name_only_measures_the_parser_lands():
    """dq_identities is read by R02 (SQL) and by the placement of packed rows (Python).

    Every row parses to its six fields, and each measure is one the dataset's gate accepts.
    """
    from loaders import packed
    from loaders.validate import ACCEPTED_VALUES

    with open(ROOT / "seeds" / "dq_identities.csv", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert {len(r) for r in rows} == {6}
    header, *records = rows
    assert header[:4] == ["dataset", "identity_id", "parent_measure", "part_measure"]
    for dataset, _, parent, part, skip, _ in records:
        accepted = set(ACCEPTED_VALUES[dataset]["measure"])
        assert {parent, part} | ({skip} if skip else set()) <= accepted, (dataset, parent, part)
    revenue = {i.parent: {p for p, _ in i.parts} for i in packed.identities("revenue_rows")}
    assert revenue["total"] >= {"fiscal_total", "business_income", "other_income"}
