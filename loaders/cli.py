"""Command line: ``python -m loaders --help``.

Exit codes (for schedulers): 0 every document loaded (or was already loaded); 1 some document
was rejected or quarantined (the others were landed); 2 usage error.
"""

from __future__ import annotations

import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from loaders.landing import LoadReport, load, read_manifest

if TYPE_CHECKING:  # the rebuild module is imported by the commands that need it (dbt is slow)
    from loaders.rebuild import RebuildResult


def _landed_option(name: str = "--out") -> Callable:
    return click.option(
        name,
        type=click.Path(file_okay=False, path_type=Path),
        envvar="BUDGET_LANDED_PATH",
        default="seeds/landed",
        show_default=True,
        help="Landed-data folder (dbt reads it). Env: BUDGET_LANDED_PATH.",
    )


def _warehouse_option(
    must_exist: bool = False, help_text: str = "The live warehouse file."
) -> Callable:
    return click.option(
        "--warehouse",
        type=click.Path(exists=must_exist, dir_okay=False, path_type=Path),
        envvar="BUDGET_WAREHOUSE_PATH",
        default="warehouse/budget.duckdb",
        show_default=True,
        help=f"{help_text} Env: BUDGET_WAREHOUSE_PATH.",
    )


def _progress(done: int, total: int, name: str) -> None:
    if done == total or done % 100 == 0 or total <= 20:
        click.echo(f"  parsed {done}/{total}  {name}", err=True)


class TerminalStatus:
    """One status line, rewritten in place on stderr, when stderr is a terminal.

    Under cron, systemd or a pipe (stderr not a terminal) it prints nothing: the run log and
    the final line say what happened.
    """

    def __init__(self) -> None:
        """Show the line only if stderr is a terminal."""
        self.active = sys.stderr.isatty()
        self.shown = False

    def __call__(self, message: str) -> None:
        """Replace the status line with ``message``."""
        if self.active:
            sys.stderr.write(f"\r\033[K{message}")
            sys.stderr.flush()
            self.shown = True

    def done(self) -> None:
        """Clear the status line (before the final report)."""
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
            self.shown = False


def coverage_lines(report: LoadReport) -> list[str]:
    """The per-document coverage report printed after a load."""
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for row in report.coverage:
        by_doc[row["document_id"]].append(row)
    lines = []
    for doc in report.loaded:
        rows = by_doc[doc["document_id"]]
        families = Counter(r["family"] for r in rows)
        printed = sum(r["numeric_cells_printed"] for r in rows)
        landed = sum(r["numeric_cells_landed"] for r in rows)
        twice = sum(r["numeric_cells_landed_twice"] for r in rows)
        incomplete = [r["table_id"] for r in rows if r["status"] == "incomplete"]
        cells_only = sum(
            r["numeric_cells_printed"] - r["numeric_cells_landed"]
            for r in rows
            if r["status"] in ("incomplete", "not_typed")
        )
        empty = sum(1 for r in rows if r["status"] == "empty")
        lines.append(
            f"{doc['source_file']}: {doc['department_name']} {doc['fiscal_year']} "
            f"{doc['disclosure_kind']} [{doc['document_id']}]"
        )
        lines.append(
            f"  tables {doc['tables_found']} found, {doc['tables_recognised']} recognised "
            f"({', '.join(f'{k} {v}' for k, v in sorted(families.items()))}), "
            f"{doc['tables_found'] - doc['tables_recognised']} other/unrecognised, {empty} empty"
        )
        status = "complete" if landed == printed and not twice else "INCOMPLETE"
        lines.append(
            f"  numeric cells: {printed} printed, {landed} typed, {cells_only} in cells only, "
            f"{twice} landed twice -> {status}"
            + (f" (tables {', '.join(incomplete)})" if incomplete else "")
        )
    return lines


@click.group()
@click.version_option(package_name="budget-warehouse")
def main() -> None:
    """Land Chinese budget disclosure documents as Parquet for the dbt warehouse."""


@main.command("load")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path), required=True)
@_landed_option()
@click.option("--workers", type=int, default=None, help="Parser processes (default: CPU count).")
@click.option(
    "--sync/--no-sync",
    default=False,
    help="Treat PATHS as the complete document set: landed documents no longer there are removed.",
)
@click.option("--no-gate", is_flag=True, help="Skip the great-expectations validation gate.")
@click.option("--quiet", is_flag=True, help="Print only problems and the final line.")
def load_command(
    paths: tuple[Path, ...], out: Path, workers: int | None, sync: bool, no_gate: bool, quiet: bool
) -> None:
    """Parse documents (files or folders) and land their tables under --out.

    Only new or changed documents are parsed (file hash), and documents landed by another
    parser (its fingerprint changed: code or libraries), whose old rows are replaced; the same
    content under another name or encoding is loaded once. Bad files are reported with file and
    line; the rest of the batch still loads.
    """
    started = time.perf_counter()
    report = load(
        list(paths),
        out,
        workers=workers,
        sync=sync,
        gate=not no_gate,
        progress=None if quiet else _progress,
    )
    elapsed = time.perf_counter() - started
    if not quiet:
        for line in coverage_lines(report):
            click.echo(line)
        for line in report.skipped:
            click.echo(f"skipped: {line}")
        for line in report.reparsed:
            click.echo(line)
        for line in report.gate_report:
            click.echo(f"gate: {line}")
    for line in report.messages:
        click.echo(f"warning: {line}", err=True)
    for line in report.below_full_coverage():
        click.echo(f"not fully typed: {line}", err=True)
    for rejected in report.rejected:
        click.echo(f"error: {rejected.message}", err=True)
    for source, reasons in report.quarantined.items():
        click.echo(f"quarantined: {source}: {'; '.join(reasons)}", err=True)
    for doc_id in report.removed:
        click.echo(f"removed: document {doc_id} (its file is gone, changed, or parsed anew)")
    click.echo(
        f"loaded {len(report.loaded)} (re-parsed {len(report.reparsed)}), "
        f"unchanged/duplicate {len(report.skipped)}, "
        f"rejected {len(report.rejected)}, quarantined {len(report.quarantined)}, "
        f"removed {len(report.removed)} in {elapsed:.2f}s -> {out}"
    )
    sys.exit(0 if report.ok else 1)


@main.command("status")
@_landed_option()
def status_command(out: Path) -> None:
    """List the documents landed in --out (from its manifest)."""
    documents = read_manifest(out)["documents"]
    for doc_id, doc in sorted(documents.items(), key=lambda kv: kv[1]["source_file"]):
        click.echo(
            f"{doc_id}  {doc['fiscal_year']}  {doc['disclosure_kind']:<14} "
            f"{doc['department_name']}  ({doc['source_file']}, batch {doc['batch']}, "
            f"{doc['loaded_at']})"
        )
    click.echo(f"{len(documents)} documents landed in {out}")


def _docs_option():
    return click.option(
        "--docs",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="BUDGET_DOCS_DIR",
        default="data/documents",
        show_default=True,
        help="Documents folder, the complete set. Env: BUDGET_DOCS_DIR.",
    )


def _log_option():
    return click.option(
        "--log",
        "log_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Run log, one JSON line per run (default: <warehouse>.runs.jsonl).",
    )


def _echo_result(result: RebuildResult) -> None:
    for problem in result.problems:
        click.echo(f"warning: {problem}", err=True)
    for line in result.not_fully_typed:
        click.echo(f"not fully typed: {line}", err=True)
    docs_line = ", ".join(f"{k} {v}" for k, v in result.documents.items())
    tests_line = ", ".join(f"{k} {v}" for k, v in sorted(result.tests.items())) or "not run"
    click.echo(f"documents: {docs_line}")
    click.echo(f"tests: {tests_line}; findings: {result.findings or 'none'}")
    click.echo(
        f"rebuild {result.outcome} in {result.seconds:.1f}s "
        f"(load {result.load_seconds:.1f}s, dbt {result.dbt_seconds:.1f}s): {result.reason}"
    )


@main.command("rebuild")
@_docs_option()
@_warehouse_option()
@_landed_option("--landed")
@_log_option()
@click.option("--force", is_flag=True, help="Build everything into a fresh file, changed or not.")
def rebuild_command(
    docs: Path, warehouse: Path, landed: Path, log_path: Path | None, force: bool
) -> None:
    """Rebuild the warehouse from the documents folder and swap it in atomically.

    Only new or changed documents are parsed; one dbt build runs into a new file beside the live
    one (a copy of it, building only the new documents' rows, when the project files did not
    change), which replaces the live file only if every pipeline test passes. Exit codes: 0 the
    new warehouse is live (or nothing changed); 4 it is live, but documents were rejected or
    quarantined (named on stderr and in the run log); 1 the build failed and the last good
    warehouse stays live; 3 another rebuild is running.
    """
    from loaders.rebuild import RebuildLocked, rebuild

    status = TerminalStatus()
    try:
        result = rebuild(docs, warehouse, landed, log_path=log_path, force=force, progress=status)
    except RebuildLocked as error:
        status.done()
        click.echo(f"rebuild: {error}", err=True)
        sys.exit(3)
    status.done()
    _echo_result(result)
    sys.exit(rebuild_exit_code(result.outcome, result.documents))


# A rebuild that went live without some documents must not look like a clean run to a scheduler.
EXIT_LIVE_WITH_REJECTIONS = 4


def rebuild_exit_code(outcome: str, documents: dict[str, int]) -> int:
    """The rebuild's exit code for a scheduler.

    0: live, every document loaded; 4: live, but documents were rejected or quarantined;
    1: the build failed (the last good warehouse stays live).
    """
    if outcome != "succeeded":
        return 1
    if documents.get("rejected") or documents.get("quarantined"):
        return EXIT_LIVE_WITH_REJECTIONS
    return 0


@main.command("watch")
@_docs_option()
@_warehouse_option()
@_landed_option("--landed")
@_log_option()
@click.option(
    "--interval", type=float, default=5.0, show_default=True, help="Seconds between polls."
)
def watch_command(
    docs: Path, warehouse: Path, landed: Path, log_path: Path | None, interval: float
) -> None:
    """Rebuild whenever the documents folder changes (a long-running service).

    The same rebuild as `rebuild`, run by one process that keeps dbt's parsed project and
    great-expectations loaded, so a new document is live seconds after it is dropped in.
    Stops on SIGTERM or Ctrl-C after the rebuild in progress.
    """
    import signal

    from loaders.rebuild import watch

    stopping: list[int] = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda number, _frame: stopping.append(number))
    click.echo(f"watching {docs} every {interval:g}s (warehouse {warehouse})")
    watch(
        docs, warehouse, landed,
        interval=interval, log_path=log_path, on_result=_echo_result,
        should_stop=lambda: bool(stopping),
    )  # fmt: skip
    click.echo("watch stopped")


@main.command("export")
@_warehouse_option(must_exist=True, help_text="The live warehouse file, opened read-only.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default="warehouse/exports",
    show_default=True,
    help="Export folder.",
)
def export_command(warehouse: Path, out: Path) -> None:
    """Export the marts: DuckDB 1.4-format file, Parquet, CSV and an Excel workbook.

    Writes --out/budget_v1_4.duckdb (storage version v1.4.0, readable by DuckDB 1.4 and later),
    --out/parquet/<table>.parquet (the contract's schema, descriptions in the field metadata),
    --out/csv/<table>.csv (UTF-8 with BOM) for every dim_*, fct_* and mart_* table, and
    --out/budget_marts.xlsx (a data_dictionary sheet, then a sheet per mart), each under a
    temporary name first and renamed into place. Exit codes: 0 exported; 1 export failed.
    """
    import duckdb

    from loaders.export import export

    started = time.perf_counter()
    try:
        report = export(warehouse, out)
    except (duckdb.Error, OSError, ValueError) as error:
        click.echo(f"export: {type(error).__name__}: {error}", err=True)
        sys.exit(1)
    for table, count in report.row_counts.items():
        click.echo(f"  {table}: {count} rows")
    for path in report.removed:
        click.echo(f"removed: {path} (no such mart any more)")
    for table in report.sheets_left_out:
        click.echo(
            f"  {table}: too many rows for a worksheet, not in {report.workbook_path.name} "
            "(its CSV and Parquet files have them)"
        )
    click.echo(
        f"exported {len(report.row_counts)} marts in {time.perf_counter() - started:.2f}s -> "
        f"{report.compat_path} (DuckDB storage v1.4.0), {report.parquet_dir}/, "
        f"{report.csv_dir}/, {report.workbook_path}"
    )


@main.command("docs")
@_warehouse_option(must_exist=True, help_text="The live warehouse file (copied, never opened).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default="target/docs",
    show_default=True,
    help="Folder of the docs site.",
)
@click.option(
    "--landed",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="BUDGET_LANDED_PATH",
    default="seeds/landed",
    show_default=True,
    help="Landed Parquet folder (the dbt sources). Env: BUDGET_LANDED_PATH.",
)
def docs_command(warehouse: Path, out: Path, landed: Path) -> None:
    """Generate the dbt docs site against a copy of the warehouse (readers are never blocked).

    Writes --out/index.html, manifest.json and catalog.json; open index.html through a web
    server (`dbt docs serve --target-path <out>` or `python -m http.server -d <out>`). Exit
    codes: 0 written; 1 dbt failed.
    """
    from loaders.docs_site import generate

    started = time.perf_counter()
    click.echo(f"docs: copying {warehouse} and running dbt docs generate on the copy", err=True)
    try:
        index = generate(warehouse, out, landed)
    except (OSError, RuntimeError) as error:
        click.echo(f"docs: {type(error).__name__}: {error}", err=True)
        sys.exit(1)
    click.echo(
        f"docs site written in {time.perf_counter() - started:.1f}s: {index} "
        f"(serve it: .venv/bin/python -m http.server -d {out})"
    )


if __name__ == "__main__":  # pragma: no cover
    main()
