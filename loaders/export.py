"""Exports of the marts for readers that cannot open the live warehouse file.

The live warehouse is written by DuckDB 2.0 in its own storage format, which DuckDB 1.4 and
older cannot open. ``python -m loaders export`` writes, from the live file opened read-only:

* ``<out>/budget_v1_4.duckdb``: every mart table (``dim_*``, ``fct_*``, ``mart_*``) with its
  column types, NOT NULL constraints and descriptions (table and column comments), in DuckDB
  storage version v1.4.0, readable by DuckDB 1.4 and every later release;
* ``<out>/parquet/<table>.parquet``: one Parquet file per mart (zstd), for any other tool.

Every file is written under a temporary name beside its final one and renamed into place with
``os.replace``, so a reader of an export sees the previous file or the new one, never a partial
one. All tables are read through one connection to one open file: a rebuild that swaps the live
warehouse meanwhile does not mix two builds into one export. Parquet files of marts that no
longer exist are removed, so ``parquet/`` always mirrors the current marts.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

COMPAT_FILE = "budget_v1_4.duckdb"
COMPAT_STORAGE_VERSION = "v1.4.0"
PARQUET_DIR = "parquet"
MART_PATTERN = re.compile(r"^(dim|fct|mart)_[a-z0-9_]+$")


@dataclass
class ExportReport:
    """What one export wrote."""

    warehouse: Path
    compat_path: Path
    parquet_dir: Path
    row_counts: dict[str, int] = field(default_factory=dict)
    removed_parquet: list[str] = field(default_factory=list)


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_string(text: str) -> str:
    """A SQL string literal of ``text`` (single quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


def mart_tables(con: duckdb.DuckDBPyConnection, database: str = "src") -> list[str]:
    """Names of the mart tables (``dim_*``, ``fct_*``, ``mart_*``) in ``database``'s main schema."""
    names = con.execute(
        "select table_name from duckdb_tables() "
        "where database_name = ? and schema_name = 'main' order by table_name",
        [database],
    ).fetchall()
    return [name for (name,) in names if MART_PATTERN.match(name)]


def _copy_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Create ``compat.main.<table>`` as ``src.main.<table>`` is, with comments, and fill it."""
    ddl, comment = con.execute(
        "select sql, comment from duckdb_tables() "
        "where database_name = 'src' and schema_name = 'main' and table_name = ?",
        [table],
    ).fetchone()
    # duckdb_tables().sql is the table's own CREATE TABLE with an unqualified name: run it with
    # the export file as the default database so the copy keeps types and NOT NULL constraints.
    con.execute("use compat")
    try:
        con.execute(ddl)
    finally:
        con.execute("use memory")
    target = f"compat.main.{_quote_ident(table)}"
    con.execute(f"insert into {target} select * from src.main.{_quote_ident(table)}")
    if comment:
        con.execute(f"comment on table {target} is {sql_string(comment)}")
    columns = con.execute(
        "select column_name, comment from duckdb_columns() where database_name = 'src' "
        "and schema_name = 'main' and table_name = ? and comment is not null",
        [table],
    ).fetchall()
    for column, text in columns:
        con.execute(f"comment on column {target}.{_quote_ident(column)} is {sql_string(text)}")


def _clean_stale_temporaries(*folders: Path) -> None:
    """Remove temporary files of exports that died (their pid is gone)."""
    for folder in folders:
        for path in folder.glob(".*.tmp-*"):
            pid = path.name.rsplit("-", 1)[-1].split(".")[0]
            if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                path.unlink(missing_ok=True)


def export(warehouse: Path, out: Path) -> ExportReport:
    """Write the v1.4-format DuckDB file and the Parquet files of every mart (module docstring).

    Args:
        warehouse: the live warehouse file (opened read-only).
        out: the export folder (created if missing).

    Returns:
        The tables exported with their row counts.

    Raises:
        FileNotFoundError: the warehouse file does not exist.
        ValueError: the warehouse has no mart tables.
    """
    warehouse = Path(warehouse)
    if not warehouse.is_file():
        raise FileNotFoundError(f"no warehouse file at {warehouse}")
    out = Path(out)
    parquet_dir = out / PARQUET_DIR
    parquet_dir.mkdir(parents=True, exist_ok=True)
    _clean_stale_temporaries(out, parquet_dir)
    report = ExportReport(warehouse, out / COMPAT_FILE, parquet_dir)
    tag = f".tmp-{os.getpid()}"
    compat_tmp = out / f".{COMPAT_FILE}{tag}"
    written: list[tuple[Path, Path]] = []
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach {sql_string(str(warehouse))} as src (read_only)")
        tables = mart_tables(con)
        if not tables:
            raise ValueError(f"{warehouse} has no mart tables (dim_*, fct_*, mart_*)")
        for suffix in ("", ".wal"):
            Path(f"{compat_tmp}{suffix}").unlink(missing_ok=True)
        con.execute(
            f"attach {sql_string(str(compat_tmp))} as compat "
            f"(storage_version {sql_string(COMPAT_STORAGE_VERSION)})"
        )
        for table in tables:
            _copy_table(con, table)
            final = parquet_dir / f"{table}.parquet"
            tmp = parquet_dir / f".{table}.parquet{tag}"
            con.execute(
                f"copy (select * from src.main.{_quote_ident(table)}) to "
                f"{sql_string(str(tmp))} (format parquet, compression zstd)"
            )
            written.append((tmp, final))
            report.row_counts[table] = con.execute(
                f"select count(*) from compat.main.{_quote_ident(table)}"
            ).fetchone()[0]
        con.execute("detach compat")  # checkpoints: the file is complete, no .wal left
        con.close()
        os.replace(compat_tmp, report.compat_path)
        for tmp, final in written:
            os.replace(tmp, final)
        written.clear()
    finally:
        con.close()
        for tmp, _ in written:
            tmp.unlink(missing_ok=True)
        for suffix in ("", ".wal"):
            Path(f"{compat_tmp}{suffix}").unlink(missing_ok=True)
    keep = {f"{table}.parquet" for table in report.row_counts}
    for stale in sorted(parquet_dir.glob("*.parquet")):
        if stale.name not in keep:
            stale.unlink()
            report.removed_parquet.append(stale.name)
    return report
