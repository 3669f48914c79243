"""`python -m loaders export`: a DuckDB 1.4-format copy of the marts and one Parquet file each.

Builds a small warehouse with `python -m loaders rebuild` (two documents, tens of seconds) and
proves with a real DuckDB 1.4.0, installed into a throwaway venv, that the v1.4 file opens.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import DOCUMENTS, SAMPLES

from loaders.export import COMPAT_FILE, mart_tables

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
    assert sorted(p.name for p in out.iterdir()) == [COMPAT_FILE, "parquet"]
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
    assert f"removed: {stale}" in run.stdout
    assert not stale.exists()
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
