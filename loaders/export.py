"""Exports of the marts for readers that cannot open the live warehouse file.

The live warehouse is written by DuckDB 2.0 in its own storage format, which DuckDB 1.4 and
older cannot open. ``python -m loaders export`` writes, from the live file opened read-only:

* ``<out>/budget_v1_4.duckdb``: every mart table (``dim_*``, ``fct_*``, ``mart_*``) with its
  column types, NOT NULL constraints and descriptions (table and column comments), in DuckDB
  storage version v1.4.0, readable by DuckDB 1.4 and every later release;
* ``<out>/parquet/<table>.parquet``: one Parquet file per mart (zstd) whose schema is the mart
  contract's, not the data's: types and nullability are the table's declared ones (the enforced
  dbt contract creates every mart with its NOT NULL columns), and each field's metadata carries
  its ``label_zh`` and ``description``, the file's metadata the table's description;
* ``<out>/csv/<table>.csv``: one CSV file per mart, UTF-8 with a byte-order mark (so that Excel
  shows the Chinese text), amounts as exact decimal text;
* ``<out>/budget_marts.xlsx``: an Excel workbook, a ``data_dictionary`` sheet first (every
  table and column, its type, nullability, Chinese label and English description), then one
  sheet per mart.

Every column description in the contract starts with its Chinese label, ended by ``。``
(``合计（万元）。Total expenditure of the row …``): :func:`split_description` reads the two
apart, so the labels are written once, in the contract.

Every file is written under a temporary name beside its final one and renamed into place with
``os.replace``, so a reader of an export sees the previous file or the new one, never a partial
one. All tables are read through one connection to one open file: a rebuild that swaps the live
warehouse meanwhile does not mix two builds into one export. Parquet and CSV files of marts
that no longer exist are removed, so ``parquet/`` and ``csv/`` always mirror the current marts.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

COMPAT_FILE = "budget_v1_4.duckdb"
COMPAT_STORAGE_VERSION = "v1.4.0"
PARQUET_DIR = "parquet"
CSV_DIR = "csv"
WORKBOOK_FILE = "budget_marts.xlsx"
DICTIONARY_SHEET = "data_dictionary"
MART_PATTERN = re.compile(r"^(dim|fct|mart)_[a-z0-9_]+$")
# The Chinese label that starts a description: up to the first 。, with at least one CJK character.
LABEL_PATTERN = re.compile(r"^\s*([^。\n]{0,40}?[\u3400-\u9fff][^。\n]{0,40}?)。\s*")
# Data rows a worksheet holds (Excel's 1,048,576 rows less the header).
EXCEL_MAX_ROWS = 1_048_575
DECIMAL_TYPE = re.compile(r"^DECIMAL\((\d+),\s*(\d+)\)$")
ARROW_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(),
    "BOOLEAN": pa.bool_(),
    "TINYINT": pa.int8(),
    "SMALLINT": pa.int16(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "FLOAT": pa.float32(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
    "TIMESTAMP WITH TIME ZONE": pa.timestamp("us", tz="UTC"),
}


@dataclass(frozen=True)
class ColumnDoc:
    """One mart column as the contract declares it."""

    name: str
    data_type: str
    nullable: bool
    label_zh: str | None
    description: str


@dataclass(frozen=True)
class TableDoc:
    """One mart table: its description and its columns in order."""

    name: str
    label_zh: str | None
    description: str
    columns: tuple[ColumnDoc, ...]


@dataclass
class ExportReport:
    """What one export wrote."""

    warehouse: Path
    compat_path: Path
    parquet_dir: Path
    csv_dir: Path
    workbook_path: Path
    row_counts: dict[str, int] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    # marts too long for a worksheet (their rows are in the CSV and Parquet files)
    sheets_left_out: list[str] = field(default_factory=list)


def split_description(text: str | None) -> tuple[str | None, str]:
    """The Chinese label a description starts with, and the rest.

    >>> split_description("合计（万元）。Total expenditure of the row.")
    ('合计（万元）', 'Total expenditure of the row.')
    >>> split_description("Plain English only.")
    (None, 'Plain English only.')
    """
    text = " ".join((text or "").split())
    match = LABEL_PATTERN.match(text)
    if not match:
        return None, text
    return match.group(1).strip(), text[match.end() :]


def arrow_type(duckdb_type: str) -> pa.DataType:
    """The Arrow type of a DuckDB column type (``DECIMAL(38,6)`` -> ``decimal128(38, 6)``).

    Raises:
        ValueError: a type the marts do not use and this export does not map.
    """
    decimal = DECIMAL_TYPE.match(duckdb_type)
    if decimal:
        return pa.decimal128(int(decimal.group(1)), int(decimal.group(2)))
    try:
        return ARROW_TYPES[duckdb_type]
    except KeyError:
        raise ValueError(f"no Parquet type for DuckDB type {duckdb_type}") from None


def arrow_schema(table: TableDoc) -> pa.Schema:
    """The Parquet schema of a mart: the contract's types and nullability, with descriptions."""
    fields = []
    for column in table.columns:
        metadata = {"description": column.description}
        if column.label_zh:
            metadata["label_zh"] = column.label_zh
        fields.append(
            pa.field(column.name, arrow_type(column.data_type), column.nullable, metadata)
        )
    metadata = {"table": table.name, "description": table.description}
    if table.label_zh:
        metadata["label_zh"] = table.label_zh
    return pa.schema(fields, metadata=metadata)


def dictionary_rows(tables: Iterable[TableDoc]) -> Iterator[tuple[str, ...]]:
    """The data-dictionary sheet: a row per table (column name empty), then one per column."""
    yield ("table", "column", "label_zh", "data_type", "nullable", "description")
    for table in tables:
        yield (table.name, "", table.label_zh or "", "", "", table.description)
        for column in table.columns:
            yield (
                table.name,
                column.name,
                column.label_zh or "",
                column.data_type,
                "yes" if column.nullable else "no",
                column.description,
            )


def csv_text(value: object) -> object:
    """A value as the CSV prints it: a decimal in full (``1234.500000``), None as empty."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


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


def table_doc(con: duckdb.DuckDBPyConnection, table: str, database: str = "src") -> TableDoc:
    """``table``'s description and columns (type, nullability, label, description) as built."""
    (comment,) = con.execute(
        "select comment from duckdb_tables() "
        "where database_name = ? and schema_name = 'main' and table_name = ?",
        [database, table],
    ).fetchone()
    columns = []
    for name, data_type, nullable, text in con.execute(
        "select column_name, data_type, is_nullable, comment from duckdb_columns() "
        "where database_name = ? and schema_name = 'main' and table_name = ? "
        "order by column_index",
        [database, table],
    ).fetchall():
        label, description = split_description(text)
        columns.append(ColumnDoc(name, data_type, nullable, label, description))
    label, description = split_description(comment)
    return TableDoc(table, label, description, tuple(columns))


def contract_table(data: pa.Table, table: TableDoc) -> pa.Table:
    """``data`` under the contract's schema (types, nullability, descriptions).

    Raises:
        ValueError: a NOT NULL column holds nulls (the warehouse would not have built it).
    """
    schema = arrow_schema(table)
    for column in schema:
        if not column.nullable and data.column(column.name).null_count:
            raise ValueError(f"{table.name}.{column.name} is NOT NULL but holds nulls")
    return pa.Table.from_arrays([data.column(f.name).cast(f.type) for f in schema], schema=schema)


def _rows(data: pa.Table) -> Iterator[tuple]:
    for batch in data.to_batches():
        yield from zip(*(column.to_pylist() for column in batch.columns), strict=True)


def _write_csv(path: Path, data: pa.Table) -> None:
    # utf-8-sig: Excel reads a CSV as the local code page unless it starts with a BOM
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(data.column_names)
        for row in _rows(data):
            writer.writerow([csv_text(value) for value in row])


def _write_workbook(
    path: Path, tables: list[TableDoc], frames: dict[str, pa.Table], left_out: list[str]
) -> None:
    """The workbook: the data dictionary, then one sheet per mart not in ``left_out``."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def header(sheet, names: Iterable[str]) -> None:
        cells = []
        for name in names:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
        sheet.freeze_panes = "A2"

    sheet = book.create_sheet(DICTIONARY_SHEET)
    rows = dictionary_rows(tables)
    header(sheet, next(rows))
    for row in rows:
        sheet.append(row)
    for name in left_out:
        note = (
            f"not in this workbook: {frames[name].num_rows:,} rows are more than a worksheet "
            f"holds; see {CSV_DIR}/{name}.csv or {PARQUET_DIR}/{name}.parquet"
        )
        sheet.append((name, "", "", "", "", note))
    for table in tables:
        if table.name in left_out:
            continue
        sheet = book.create_sheet(table.name[:31])
        header(sheet, (column.name for column in table.columns))
        decimals = [column.data_type.startswith("DECIMAL") for column in table.columns]
        for row in _rows(frames[table.name]):
            cells = list(row)
            for index, is_decimal in enumerate(decimals):
                if is_decimal and cells[index] is not None:
                    # a number in Excel (a double: 15 significant digits, exact for amounts in
                    # 万元 with 6 decimals below a billion 万元); CSV and Parquet keep the decimal
                    cell = WriteOnlyCell(sheet, value=cells[index])
                    cell.number_format = "#,##0.00####"
                    cells[index] = cell
            sheet.append(cells)
    book.save(path)


def export(warehouse: Path, out: Path) -> ExportReport:
    """Write the v1.4-format DuckDB file, Parquet, CSV and the workbook (module docstring).

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
    parquet_dir, csv_dir = out / PARQUET_DIR, out / CSV_DIR
    for folder in (parquet_dir, csv_dir):
        folder.mkdir(parents=True, exist_ok=True)
    _clean_stale_temporaries(out, parquet_dir, csv_dir)
    report = ExportReport(warehouse, out / COMPAT_FILE, parquet_dir, csv_dir, out / WORKBOOK_FILE)
    tag = f".tmp-{os.getpid()}"
    compat_tmp = out / f".{COMPAT_FILE}{tag}"
    workbook_tmp = out / f".{WORKBOOK_FILE}{tag}"
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
        docs = [table_doc(con, table) for table in tables]
        frames: dict[str, pa.Table] = {}
        for doc in docs:
            table = doc.name
            _copy_table(con, table)
            data = con.sql(f"select * from src.main.{_quote_ident(table)}").to_arrow_table()
            frames[table] = data = contract_table(data, doc)
            tmp = parquet_dir / f".{table}.parquet{tag}"
            pq.write_table(data, tmp, compression="zstd")
            written.append((tmp, parquet_dir / f"{table}.parquet"))
            tmp = csv_dir / f".{table}.csv{tag}"
            _write_csv(tmp, data)
            written.append((tmp, csv_dir / f"{table}.csv"))
            report.row_counts[table] = con.execute(
                f"select count(*) from compat.main.{_quote_ident(table)}"
            ).fetchone()[0]
            if data.num_rows > EXCEL_MAX_ROWS:
                report.sheets_left_out.append(table)
        _write_workbook(workbook_tmp, docs, frames, report.sheets_left_out)
        written.append((workbook_tmp, report.workbook_path))
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
    for folder, suffix in ((parquet_dir, ".parquet"), (csv_dir, ".csv")):
        keep = {f"{table}{suffix}" for table in report.row_counts}
        for stale in sorted(folder.glob(f"*{suffix}")):
            if stale.name not in keep:
                stale.unlink()
                report.removed.append(str(stale))
    return report
