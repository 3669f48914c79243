"""`python -m loaders export`: DuckDB 1.4-format copy, Parquet, CSV and an Excel workbook.

Builds a small warehouse with `python -m loaders rebuild` (two documents, tens of seconds) and
proves with a real DuckDB 1.4.0, installed into a throwaway venv, that the v1.4 file opens; that
pandas reads the CSV files, openpyxl the workbook, and that the Parquet schema is the mart
contract's (models/marts/_marts__models.yml), not the data's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from conftest import DOCUMENTS, SAMPLES
from openpyxl import load_workbook

from loaders.export import (
    COMPAT_FILE,
    CSV_DIR,
    DICTIONARY_SHEET,
    PARQUET_DIR,
    WORKBOOK_FILE,
    mart_tables,
    split_description,
)

ROOT = Path(__file__).resolve().parent.parent
OLD_DUCKDB = "1.4.0"  # the oldest release of the line the compat file promises to open in

OLD_ENGINE_SCRIPT = """
import duckdb, json, sys
out = {"version": duckdb.__version__}
try:
    con = duckdb.connect(sys.argv[1], read_only=True)
    tables = [name for (name,) in con.execute(
        "select table_name from duckdb_tables() order by 1").fetchall()]
    out["counts"] = {t: con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}
    out["columns"] = [list(r) for r in con.execute(
        "select table_name, column_name, data_type, is_nullable from duckdb_columns() "
        "where database_name = current_database() and not internal "
        "order by table_name, column_index").fetchall()]
    out["table_comments"] = dict(con.execute(
        "select table_name, comment from duckdb_tables()").fetchall())
    out["total"] = str(con.execute(
        "select sum(total_amount) from fct_expenditure_by_function").fetchone()[0])
except Exception as error:
    out["error"] = str(error)
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def old_duckdb(tmp_path_factory) -> Path:
    """Python of a throwaway venv with DuckDB 1.4.0 (about 10 s, from the package registry)."""
    venv = tmp_path_factory.mktemp("duckdb14") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         f"duckdb=={OLD_DUCKDB}"],
        check=True, timeout=600,
    )  # fmt: skip
    return python


def _old_engine(python: Path, database: Path) -> dict:
    run = subprocess.run(
        [str(python), "-c", OLD_ENGINE_SCRIPT, str(database)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def _cli(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "BUDGET_DOCS_DIR": str(tmp / "docs"),
        "BUDGET_WAREHOUSE_PATH": str(tmp / "live" / "budget.duckdb"),
        "BUDGET_LANDED_PATH": str(tmp / "landed"),
    }
    return subprocess.run(
        [sys.executable, "-m", "loaders", *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Path, Path]:
    """(live warehouse, export folder) after a rebuild of two documents and an export."""
    tmp = tmp_path_factory.mktemp("export")
    (tmp / "docs").mkdir()
    for key in ("anyang", "changzhi"):
        shutil.copy(DOCUMENTS / SAMPLES[key], tmp / "docs")
    run = _cli(tmp, "rebuild")
    assert run.returncode == 0, run.stdout + run.stderr
    out = tmp / "exports"
    run = _cli(tmp, "export", "--out", str(out))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "exported" in run.stdout
    return tmp / "live" / "budget.duckdb", out


def _live_counts(live: Path) -> dict[str, int]:
    with duckdb.connect(str(live), read_only=True) as con:
        return {t: con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in _marts(con)}


def _marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    return mart_tables(con, con.execute("select current_database()").fetchone()[0])


def test_one_parquet_file_per_mart_with_the_marts_row_counts(exported):
    live, out = exported
    counts = _live_counts(live)
    assert {"fct_expenditure_by_function", "dim_document", "mart_budget_overview"} <= set(counts)
    assert not {t for t in counts if t.startswith(("int_", "stg_"))}
    assert counts["fct_expenditure_by_function"] > 0 and counts["dim_document"] == 2
    files = sorted(p.name for p in (out / "parquet").iterdir())
    assert files == sorted(f"{table}.parquet" for table in counts)  # no temporary files left
    total_sql = "select sum(total_amount) from {}"
    with duckdb.connect() as con:
        for table, count in counts.items():
            path = out / "parquet" / f"{table}.parquet"
            parquet = con.execute("select count(*) from read_parquet(?)", [str(path)])
            assert parquet.fetchone()[0] == count, table
        path = out / "parquet" / "fct_expenditure_by_function.parquet"
        exported_total = con.execute(total_sql.format(f"read_parquet('{path}')")).fetchone()[0]
    with duckdb.connect(str(live), read_only=True) as con:
        live_total = con.execute(total_sql.format("fct_expenditure_by_function")).fetchone()[0]
    assert exported_total == live_total and live_total > 0


def test_duckdb_1_4_opens_the_compat_file_with_the_same_marts(exported, old_duckdb):
    live, out = exported
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [COMPAT_FILE, PARQUET_DIR, CSV_DIR, WORKBOOK_FILE]
    )
    seen = _old_engine(old_duckdb, out / COMPAT_FILE)
    assert "error" not in seen, seen["error"]
    assert seen["version"] == OLD_DUCKDB
    assert seen["counts"] == _live_counts(live)
    with duckdb.connect(str(live), read_only=True) as con:
        marts = _marts(con)
        columns = con.execute(
            "select table_name, column_name, data_type, is_nullable from duckdb_columns() "
            "where database_name = current_database() and table_name in (select unnest(?)) "
            "order by table_name, column_index",
            [marts],
        ).fetchall()
        total = con.execute("select sum(total_amount) from fct_expenditure_by_function")
        total = str(total.fetchone()[0])
    assert [tuple(c) for c in seen["columns"]] == columns  # same types and NOT NULLs
    assert all(seen["table_comments"][t] for t in marts)  # descriptions kept
    assert seen["total"] == total


def test_duckdb_1_4_cannot_open_the_live_warehouse(exported, old_duckdb):
    # why the export exists: DuckDB 2.0 writes its own storage format by default
    live, _ = exported
    seen = _old_engine(old_duckdb, live)
    assert "newer version of DuckDB" in seen.get("error", ""), seen


def test_export_again_replaces_files_and_drops_parquet_of_gone_marts(exported):
    live, out = exported
    stale = out / "parquet" / "fct_no_longer_built.parquet"
    stale.write_bytes(b"old")
    stale_csv = out / "csv" / "fct_no_longer_built.csv"
    stale_csv.write_bytes(b"old")
    dead = [
        out / ".budget_v1_4.duckdb.tmp-999999999.wal",
        out / "parquet" / ".x.parquet.tmp-999999999",
    ]
    for path in dead:  # left by an export that was killed
        path.write_bytes(b"partial")
    compat = out / COMPAT_FILE
    before = compat.stat().st_ino
    env = {**os.environ, "BUDGET_WAREHOUSE_PATH": str(live)}
    run = subprocess.run(
        [sys.executable, "-m", "loaders", "export", "--out", str(out)],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert f"removed: {stale}" in run.stdout and f"removed: {stale_csv}" in run.stdout
    assert not stale.exists() and not stale_csv.exists()
    assert compat.stat().st_ino != before  # a new file renamed into place
    assert not [p for p in out.rglob("*") if ".tmp-" in p.name]
    assert not any(path.exists() for path in dead)


def test_export_of_a_missing_warehouse_is_a_usage_error(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "loaders", "export", "--warehouse", str(tmp_path / "no.duckdb"),
         "--out", str(tmp_path / "out")],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 2 and "does not exist" in run.stderr
    assert not (tmp_path / "out").exists()


def _contract() -> dict[str, dict[str, bool]]:
    """{mart: {column: nullable}} as models/marts/_marts__models.yml declares them."""
    spec = yaml.safe_load((ROOT / "models" / "marts" / "_marts__models.yml").read_text("utf-8"))
    contract = {}
    for model in spec["models"]:
        keys = {
            column
            for constraint in model.get("constraints", [])
            if constraint["type"] == "primary_key"
            for column in constraint["columns"]
        }
        contract[model["name"]] = {
            column["name"]: column["name"] not in keys
            and not any(
                c["type"] in ("not_null", "primary_key") for c in column.get("constraints", [])
            )
            for column in model["columns"]
        }
    return contract


def _live_columns(live: Path) -> dict[str, list[tuple[str, str]]]:
    """{mart: [(column, comment), ...]} of the live warehouse."""
    with duckdb.connect(str(live), read_only=True) as con:
        rows = con.execute(
            "select table_name, column_name, comment from duckdb_columns() "
            "where database_name = current_database() and table_name in (select unnest(?)) "
            "order by table_name, column_index",
            [_marts(con)],
        ).fetchall()
    columns: dict[str, list[tuple[str, str]]] = {}
    for table, column, comment in rows:
        columns.setdefault(table, []).append((column, comment))
    return columns


def test_parquet_schema_is_the_contracts_with_descriptions(exported):
    live, out = exported
    contract = _contract()
    live_columns = _live_columns(live)
    assert set(live_columns) == set(contract)
    nullable_seen = set()
    for table, columns in live_columns.items():
        schema = pq.read_schema(out / PARQUET_DIR / f"{table}.parquet")
        assert schema.names == [column for column, _ in columns]
        assert {f.name: f.nullable for f in schema} == contract[table], table
        nullable_seen |= {f.nullable for f in schema}
        for column, comment in columns:
            metadata = schema.field(column).metadata
            label, description = split_description(comment)
            assert label and description, (table, column, comment)
            assert metadata[b"label_zh"].decode() == label
            assert metadata[b"description"].decode() == description
        assert schema.metadata[b"description"].decode().startswith("Grain:"), table
    assert nullable_seen == {True, False}
    # a NOT NULL column stays NOT NULL even in an export where no row is null, and vice versa
    schema = pq.read_schema(out / PARQUET_DIR / "fct_three_public_costs.parquet")
    assert schema.field("amount").nullable and not schema.field("category").nullable
    assert str(schema.field("amount").type) == "decimal128(38, 6)"


def test_csv_opens_in_pandas_with_the_live_values(exported):
    live, out = exported
    path = out / CSV_DIR / "mart_budget_overview.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    with duckdb.connect(str(live), read_only=True) as con:
        rows = con.execute(
            "select document_id, department_name, expenditure_total from mart_budget_overview "
            "order by document_id"
        ).fetchall()
    frame = frame.sort_values("document_id")
    assert list(frame["department_name"]) == [name for _, name, _ in rows]
    assert "住房公积金" in rows[0][1]
    # the exact decimal, not a float's rendering of it
    assert [Decimal(v) for v in frame["expenditure_total"]] == [total for *_, total in rows]
    for table, count in _live_counts(live).items():
        assert len(pd.read_csv(out / CSV_DIR / f"{table}.csv", encoding="utf-8-sig")) == count


def test_workbook_has_a_data_dictionary_and_a_sheet_per_mart(exported):
    live, out = exported
    counts = _live_counts(live)
    book = load_workbook(out / WORKBOOK_FILE, read_only=True)
    assert book.sheetnames == [DICTIONARY_SHEET, *sorted(counts)]
    rows = list(book[DICTIONARY_SHEET].iter_rows(values_only=True))
    assert rows[0] == ("table", "column", "label_zh", "data_type", "nullable", "description")
    described = {
        (table, column): (label, nullable, text)
        for table, column, label, _, nullable, text in rows[1:]
    }
    contract = _contract()
    for table, columns in contract.items():
        label, _, text = described[(table, None)]
        assert label and text.startswith("Grain:"), table  # the table's own row
        for column, nullable in columns.items():
            label, printed_nullable, text = described[(table, column)]
            assert label and text, (table, column)
            assert printed_nullable == ("yes" if nullable else "no"), (table, column)
    assert described[("fct_three_public_costs", "amount")][0] == "金额（万元）"
    for table, count in counts.items():
        assert sum(1 for _ in book[table].iter_rows()) == count + 1, table  # header + rows
    sheet = list(book["mart_budget_overview"].iter_rows(values_only=True))
    header = sheet[0]
    with duckdb.connect(str(live), read_only=True) as con:
        expected = dict(
            con.execute(
                "select document_id, expenditure_total from mart_budget_overview"
            ).fetchall()
        )
    for row in sheet[1:]:
        record = dict(zip(header, row, strict=True))
        # a number in the sheet (not text), equal to the warehouse's decimal
        assert isinstance(record["expenditure_total"], float)
        assert Decimal(str(record["expenditure_total"])) == expected[record["document_id"]]


def test_a_mart_longer_than_a_worksheet_is_left_out_of_the_workbook_and_said_so(
    exported, tmp_path, monkeypatch
):
    import loaders.export as export_module

    live, _ = exported
    counts = _live_counts(live)
    limit = counts["fct_expenditure_by_function"] - 1  # one row too many for this "worksheet"
    monkeypatch.setattr(export_module, "EXCEL_MAX_ROWS", limit)
    report = export_module.export(live, tmp_path)
    too_long = sorted(table for table, count in counts.items() if count > limit)
    assert "fct_expenditure_by_function" in too_long
    assert report.sheets_left_out == too_long
    book = load_workbook(tmp_path / WORKBOOK_FILE, read_only=True)
    assert book.sheetnames == [DICTIONARY_SHEET, *sorted(set(counts) - set(too_long))]
    notes = {
        row[0]: row[5]
        for row in book[DICTIONARY_SHEET].iter_rows(values_only=True)
        if row[5] and str(row[5]).startswith("not in this workbook")
    }
    assert sorted(notes) == too_long
    frame = pd.read_csv(tmp_path / CSV_DIR / "fct_expenditure_by_function.csv")
    assert len(frame) == counts["fct_expenditure_by_function"]  # every row is in the CSV


@pytest.mark.filterwarnings("ignore:duckdb-engine doesn't yet support reflection on indices")
def test_sqlalchemy_reflects_every_mart_read_only(exported):
    # what a BI tool's dataset picker does (SQLAlchemy + duckdb-engine, the versions pinned in
    # pyproject.toml's `sqlalchemy` extra): list the tables, reflect each mart's columns, keys
    # and constraints; and the read-only connection refuses a write
    import sqlalchemy as sa

    live, _ = exported
    engine = sa.create_engine(f"duckdb:///{live}", connect_args={"read_only": True})
    contract = _contract()
    try:
        inspector = sa.inspect(engine)
        assert set(contract) <= set(inspector.get_table_names(schema="main"))
        for table, columns in contract.items():
            reflected = sa.Table(table, sa.MetaData(), autoload_with=engine, schema="main")
            assert {c.name: c.nullable for c in reflected.columns} == columns, table
            inspector.get_pk_constraint(table, schema="main")
            inspector.get_unique_constraints(table, schema="main")
        with engine.connect() as con:
            total = con.execute(sa.text("select sum(expenditure_total) from mart_budget_overview"))
            assert total.scalar() > 0
            with pytest.raises(sa.exc.DBAPIError, match="read-only"):
                con.execute(sa.text("create table probe (a int)"))
    finally:
        engine.dispose()


READER_LOOP = """
import duckdb, sys, time
end, reads, failures = time.monotonic() + float(sys.argv[2]), 0, []
while time.monotonic() < end:
    try:
        with duckdb.connect(sys.argv[1], read_only=True) as con:
            con.execute("select count(*) from mart_budget_overview").fetchone()
        reads += 1
    except duckdb.Error as error:
        failures.append(str(error)[:200])
    time.sleep(0.05)
print(reads, len(failures), failures[:1])
"""


def _reader(live: Path, seconds: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", READER_LOOP, str(live), str(seconds)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip


def _reads(reader: subprocess.Popen) -> tuple[int, int]:
    out, _ = reader.communicate(timeout=600)
    reads, failures, _ = out.split(" ", 2)
    return int(reads), int(failures)


def test_make_docs_builds_the_site_from_a_copy_and_readers_are_never_blocked(exported, tmp_path):
    live, _ = exported
    before = live.stat()
    reader = _reader(live, 25)
    env = {
        **os.environ,
        "BUDGET_WAREHOUSE_PATH": str(live),
        "BUDGET_LANDED_PATH": str(live.parent.parent / "landed"),
    }
    run = subprocess.run(
        [sys.executable, "-m", "loaders", "docs", "--out", str(tmp_path / "site")],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    reads, failures = _reads(reader)
    assert run.returncode == 0, run.stdout + run.stderr
    assert reads > 10 and failures == 0, (reads, failures)
    after = live.stat()
    assert (after.st_ino, after.st_mtime_ns, after.st_size) == (
        before.st_ino, before.st_mtime_ns, before.st_size,
    )  # fmt: skip
    site = tmp_path / "site"
    catalog = json.loads((site / "catalog.json").read_text("utf-8"))
    (overview,) = [n for k, n in catalog["nodes"].items() if k.endswith(".mart_budget_overview")]
    assert "expenditure_total" in overview["columns"]
    assert (site / "index.html").is_file() and (site / "manifest.json").is_file()
    assert not list(site.glob("*.duckdb*"))  # the copy is gone
    # the control: a writer attached to the file (what dbt docs generate on the live file is)
    # makes the same reader fail
    writer = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('attached', flush=True); time.sleep(8)", str(live)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert writer.stdout.readline().strip() == "attached"
    reads, failures = _reads(_reader(live, 3))
    writer.wait(timeout=60)
    assert failures > 0, (reads, failures)
