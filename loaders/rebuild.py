"""Scheduled rebuilds: land new/changed documents, build beside the live warehouse, swap.

The live DuckDB file is never opened for writing. A rebuild:

1. takes an exclusive ``flock`` on ``<live>.lock`` (the kernel drops it if the process dies, so
   a crashed run never leaves the lock stuck);
2. lands the documents folder incrementally (file hash and parser fingerprint: a new or changed
   file, or one landed by another parser, is parsed; removed files leave the warehouse);
3. runs one ``dbt build`` into ``.<live>.building`` beside the live file (one name for every run,
   so dbt's partial parse of the project stays valid between runs; the lock makes it private):
   * **incremental** when the live warehouse was built from the same project files: the live
     file is copied and dbt builds only what depends on landed data. The intermediate models are
     incremental by document (``macros/incremental_documents.sql``), so only the new documents'
     rows are computed, and every pipeline test runs again over the whole warehouse. Seeds, their
     tests, unit tests and the staging views (which read the landed folder when queried) are
     already in the copy;
   * **full** otherwise (first build, ``--force``, or a change to models, macros, seeds, dbt
     settings or the loaders): a fresh file, everything built and tested;
4. if every pipeline test passed (document-quality rules are warnings), replaces the live file
   with ``os.replace`` — atomic, so readers see the old or the new file, never a mix; otherwise
   deletes the new file and leaves the last good warehouse live;
5. appends one JSON line to the run log.

dbt runs in this process (``dbtRunner``). :func:`watch` keeps one process, and with it the parsed
dbt project and the imported great-expectations, across rebuilds.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from loaders import version
from loaders.landing import LoadReport, discover, load, read_manifest
from loaders.project import project_dir

LOADERS_DIR = Path(__file__).resolve().parent


@dataclass
class RebuildResult:
    """One rebuild, as written to the run log."""

    started: str
    finished: str = ""
    outcome: str = "running"  # succeeded / failed / locked
    reason: str = ""
    mode: str = ""  # full / incremental / skipped (nothing changed)
    live_path: str = ""
    seconds: float = 0.0
    load_seconds: float = 0.0
    dbt_seconds: float = 0.0
    documents: dict[str, int] = field(default_factory=dict)
    tests: dict[str, int] = field(default_factory=dict)
    findings: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # loaded documents below 100% typed: how many of their printed numbers are in cells only
    not_fully_typed: list[str] = field(default_factory=list)


class RebuildLocked(RuntimeError):
    """Another rebuild holds the lock."""


# dbt selection of an incremental build: every model and test that depends on landed data,
# except the staging views (their definitions did not change and they read the landed folder
# when queried; their tests are selected) and the unit tests (they test model logic on fixed
# inputs, and the logic did not change).
INCREMENTAL_SELECTION = [
    "--select",
    "source:landed+,resource_type:test",
    "source:landed+,resource_type:model,config.materialized:incremental",
    "source:landed+,resource_type:model,config.materialized:table",
    "--exclude", "resource_type:unit_test",
]  # fmt: skip


def _paths(live: Path) -> tuple[Path, Path]:
    return live.with_name(f".{live.name}.building"), live.with_name(live.name + ".lock")


def _remove_build_files(building: Path) -> None:
    """Remove a build file and its WAL (a killed rebuild's leftovers, or this run's)."""
    building.unlink(missing_ok=True)
    Path(str(building) + ".wal").unlink(missing_ok=True)


def project_fingerprint() -> str:
    """Hash of what shapes a warehouse besides the documents: dbt project, loaders, parser.

    A change to any of them makes the next rebuild a full one (loaders included: a new parser
    could land the same document differently, and incremental models keep a document's rows).
    The parser fingerprint adds what the files do not show: the versions of the libraries the
    parser uses (a new pypdfium2 re-parses every PDF, under the same document ids).
    """
    project = hashlib.sha256()
    root = project_dir()
    for base, folder, suffixes in (
        (root, "models", (".sql", ".yml", ".md")),
        (root, "macros", (".sql", ".yml", ".md")),
        (root, "seeds", (".csv", ".yml", ".md")),
        (root, "tests/dbt", (".sql", ".yml")),
        # the loaders package: in a checkout beside the project, installed elsewhere
        (LOADERS_DIR.parent, "loaders", (".py",)),
    ):
        for path in sorted((base / folder).rglob("*")):
            if path.is_file() and "landed" not in path.parts and path.suffix in suffixes:
                project.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes())
    for name in ("dbt_project.yml", "profiles.yml"):
        project.update((root / name).read_bytes())
    project.update(f"parser {version.parser_fingerprint()}".encode())
    return project.hexdigest()


def _fingerprint(landed: Path) -> dict[str, Any]:
    """What a warehouse is built from: the landed documents and the project files.

    Written beside the live file after a successful swap. A rebuild is skipped when both still
    match (so a failed build is retried on the next run, and a change to seeds, models or macros
    rebuilds without any new document), and is incremental when only the documents differ.
    """
    return {
        "documents": sorted(read_manifest(landed)["documents"]),
        "project": project_fingerprint(),
    }


@contextlib.contextmanager
def environment_set(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the block (dbt's profile reads them), then restore them."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@dataclass
class DbtOutcome:
    """What one ``dbt build`` did."""

    success: bool
    tests: dict[str, int] = field(default_factory=dict)  # test status -> count
    failures: list[str] = field(default_factory=list)  # "<status> <node>: <message>"


class DbtSession:
    """Runs ``dbt build`` in this process through ``dbtRunner``.

    A warm session (``keep_project=True``, used by :func:`watch`) parses the project once and
    hands the parsed manifest to every later build, until the project files change. Each build
    closes dbt-duckdb's connection before returning, so the new file can be swapped in with no
    writer attached.
    """

    def __init__(self, *, keep_project: bool = False) -> None:
        """Create a session; ``keep_project`` keeps the parsed project between builds."""
        self.keep_project = keep_project
        self._manifest: Any = None
        self._manifest_key: tuple[str, ...] | None = None
        self.parses = 0  # how many times the project was parsed

    @staticmethod
    def _common(target: Path) -> list[str]:
        return [
            "--project-dir", str(project_dir()), "--profiles-dir", str(project_dir()),
            "--target-path", str(target), "--log-path", str(target),
            "--log-level", "none", "--log-level-file", "warn", "--no-write-json",
        ]  # fmt: skip

    def parse(self, env: dict[str, str], target: Path) -> str | None:
        """Parse the project now (a warm session), unless it is parsed already; error or None."""
        from dbt.cli.main import dbtRunner

        key = (env["BUDGET_WAREHOUSE_PATH"], env["BUDGET_LANDED_PATH"], str(target))
        key += (project_fingerprint(),)
        if key == self._manifest_key:
            return None
        with environment_set(env):
            parsed = dbtRunner().invoke(["parse", *self._common(target)])
        if not parsed.success:
            self._manifest = self._manifest_key = None
            return f"dbt parse: {parsed.exception}"
        self._manifest, self._manifest_key = parsed.result, key
        self.parses += 1
        return None

    def build(
        self,
        args: list[str],
        env: dict[str, str],
        target: Path,
        progress: Callable[[str], None] | None = None,
    ) -> DbtOutcome:
        """Run ``dbt build`` with ``args``; ``env`` holds the BUDGET_* paths for the profile.

        ``progress`` is called with ``dbt <done>/<total>`` as nodes finish.
        """
        from dbt.cli.main import dbtRunner

        if self.keep_project:
            error = self.parse(env, target)
            if error:
                return DbtOutcome(False, failures=[error])
        with environment_set(env):
            try:
                callbacks = [dbt_progress(progress)] if progress else []
                run = dbtRunner(manifest=self._manifest, callbacks=callbacks).invoke(
                    ["build", *self._common(target), *args]
                )
            finally:
                close_dbt_connections()
        outcome = DbtOutcome(bool(run.success))
        for node in getattr(run.result, "results", None) or []:
            status = str(getattr(node.status, "value", node.status))
            if node.node.resource_type == "test":
                outcome.tests[status] = outcome.tests.get(status, 0) + 1
            if status in ("error", "fail"):
                message = " ".join(str(node.message or "").split())[:300]
                outcome.failures.append(f"{status.upper()} {node.node.name}: {message}")
        if run.exception is not None:
            outcome.failures.append(f"dbt: {type(run.exception).__name__}: {run.exception}")
        return outcome


def dbt_progress(progress: Callable[[str], None]) -> Callable[[Any], None]:
    """A dbt event callback that reports ``dbt <done>/<total>`` as nodes finish.

    dbt calls it from its worker threads: a lock keeps the reported counts in order.
    """
    done = 0
    lock = threading.Lock()

    def on_event(event: Any) -> None:
        nonlocal done
        data = event.data
        total = getattr(data, "total", 0)
        if event.info.name == "NodeFinished" or not total:
            return
        index = getattr(data, "index", 0)
        if not (isinstance(total, int) and isinstance(index, int)):
            return
        with lock:
            if index > done:
                done = index
                progress(f"dbt {done}/{total}")

    return on_event


def close_dbt_connections() -> None:
    """Close dbt-duckdb's connections, so that no writer stays attached to the file."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = DuckDBConnectionManager._ENV  # noqa: SLF001 - dbt-duckdb keeps it per class
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()


def _dbt_env(building: Path, landed: Path) -> dict[str, str]:
    return {
        "BUDGET_WAREHOUSE_PATH": str(building),
        "BUDGET_LANDED_PATH": str(landed.resolve()),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DO_NOT_TRACK": "1",
    }


def _dbt_target(live: Path) -> Path:
    """The dbt target folder of this warehouse (partial parse, compiled SQL, dbt.log)."""
    return live.with_name(f".{live.name}.dbt")


def _findings(database: Path) -> dict[str, int]:
    import duckdb

    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select severity || ':' || status, count(*) from fct_dq_findings group by 1"
        ).fetchall()
    return {key: count for key, count in rows}


def rebuild(
    docs_dir: Path,
    live: Path,
    landed: Path,
    *,
    log_path: Path | None = None,
    dbt_args: list[str] | None = None,
    workers: int | None = None,
    force: bool = False,
    session: DbtSession | None = None,
    progress: Callable[[str], None] | None = None,
) -> RebuildResult:
    """Run one rebuild (see the module docstring). Never raises for a failed build.

    Args:
        docs_dir: the documents folder (the complete set: removed files leave the warehouse).
        live: the live warehouse file readers query.
        landed: the landed-data folder dbt reads.
        log_path: JSON-lines run log (default ``<live>.runs.jsonl``).
        dbt_args: extra arguments for ``dbt build``.
        workers: parser processes.
        force: build everything into a fresh file even when nothing changed.
        session: the dbt session to build with (default: a new one for this run).
        progress: called with a short status line as documents are parsed and dbt nodes finish
            (``parsed 3/18 documents``, ``dbt 57/210``); the CLI shows it on a terminal only.

    Returns:
        The run's record (also appended to the log).

    Raises:
        RebuildLocked: another rebuild is running.
    """
    live = live.resolve()
    live.parent.mkdir(parents=True, exist_ok=True)
    building, lock_path = _paths(live)
    log_path = log_path or live.with_name(live.name + ".runs.jsonl")
    started = time.perf_counter()
    result = RebuildResult(
        started=datetime.now(UTC).isoformat(timespec="seconds"), live_path=str(live)
    )
    lock = open(lock_path, "a+")  # noqa: SIM115 - held for the whole run
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            raise RebuildLocked(
                f"another rebuild holds {lock_path} ({lock.read().strip() or 'pid unknown'})"
            ) from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"pid {os.getpid()} since {result.started}\n")
        lock.flush()
        _remove_build_files(building)  # we hold the lock: any build file is a dead run's
        try:
            _run(
                docs_dir, live, landed, building, result,
                dbt_args or [], workers, force, session or DbtSession(), progress,
            )  # fmt: skip
        except Exception as error:  # noqa: BLE001 - the live warehouse must survive anything
            result.outcome, result.reason = "failed", f"{type(error).__name__}: {error}"
        finally:
            _remove_build_files(building)
        result.finished = datetime.now(UTC).isoformat(timespec="seconds")
        result.seconds = round(time.perf_counter() - started, 2)
        with open(log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(asdict(result), ensure_ascii=False) + "\n")
        return result
    finally:
        lock.close()


def document_counts(before: dict[str, Any], report: LoadReport) -> dict[str, int]:
    """What a load did, by document (the run log's ``documents``; ``before``: the old manifest).

    A document counts once: ``changed`` when it was loaded in place of a removed document of
    the same file (new content, or a new parse under another id) or landed again under its own
    id (re-parsed: the parser changed); a removed document replaced so is not ``removed`` too.
    """
    removed_files = {before[d]["source_file"] for d in report.removed}
    loaded_files = {d["source_file"] for d in report.loaded}
    changed = sum(
        1 for d in report.loaded if d["document_id"] in before or d["source_file"] in removed_files
    )
    return {
        "added": len(report.loaded) - changed,
        "changed": changed,
        "removed": sum(1 for d in report.removed if before[d]["source_file"] not in loaded_files),
        "unchanged": len(report.skipped),
        "rejected": len(report.rejected),
        "quarantined": len(report.quarantined),
    }


def _run(
    docs_dir: Path,
    live: Path,
    landed: Path,
    building: Path,
    result: RebuildResult,
    dbt_args: list[str],
    workers: int | None,
    force: bool,
    session: DbtSession,
    progress: Callable[[str], None] | None = None,
) -> None:
    # an unmounted share or an emptied folder must not empty the warehouse
    if not docs_dir.is_dir() or not discover([docs_dir]):
        result.outcome = "failed"
        result.reason = (
            f"documents folder {docs_dir} is missing or empty: refusing to remove every document; "
            "the live warehouse was not replaced"
        )
        return
    before = read_manifest(landed)["documents"]
    t0 = time.perf_counter()
    report = load(
        [docs_dir],
        landed,
        sync=True,
        workers=workers,
        progress=(lambda done, total, _: progress(f"parsed {done}/{total} documents"))
        if progress
        else None,
    )
    result.load_seconds = round(time.perf_counter() - t0, 2)
    result.documents = document_counts(before, report)
    result.not_fully_typed = report.below_full_coverage()
    result.problems = [r.message for r in report.rejected] + [
        f"{source}: quarantined: {'; '.join(reasons)}"
        for source, reasons in report.quarantined.items()
    ]
    state_path = live.with_name(live.name + ".state.json")
    fingerprint = _fingerprint(landed)
    built_from = json.loads(state_path.read_text()) if state_path.exists() else None
    env = _dbt_env(building, landed)
    if live.exists() and not force and built_from == fingerprint:
        result.outcome, result.reason = "succeeded", "no new, changed or removed documents"
        result.mode = "skipped"
        if session.keep_project:  # a warm session gets ready for the next build (under the lock)
            session.parse(env, _dbt_target(live))
        return
    incremental = (
        live.exists()
        and not force
        and isinstance(built_from, dict)
        and built_from.get("project") == fingerprint["project"]
    )
    result.mode = "incremental" if incremental else "full"
    t0 = time.perf_counter()
    if incremental:
        shutil.copyfile(live, building)
    outcome = session.build(
        [*(INCREMENTAL_SELECTION if incremental else []), *dbt_args],
        env,
        _dbt_target(live),
        progress=progress,
    )
    result.dbt_seconds = round(time.perf_counter() - t0, 2)
    result.tests = outcome.tests
    if not outcome.success:
        result.outcome = "failed"
        result.reason = (
            f"dbt build ({result.mode}) failed; the live warehouse was not replaced. "
            + " | ".join(outcome.failures[-8:])
        )
        return
    result.findings = _findings(building)
    os.replace(building, live)
    state_path.write_text(json.dumps(fingerprint))
    result.outcome, result.reason = "succeeded", f"new warehouse is live ({result.mode} build)"


def _folder_state(docs_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the documents a rebuild would land (cheap to poll).

    The same files as landing sees (:func:`loaders.landing.discover`: hidden files, such as the
    temporary file of a copy in progress, are not documents).
    """
    if not docs_dir.is_dir():
        return ()
    entries = []
    for path in discover([docs_dir]):
        with contextlib.suppress(OSError):  # removed between listing and stat
            stat = path.stat()
            entries.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(entries)


def watch(
    docs_dir: Path,
    live: Path,
    landed: Path,
    *,
    interval: float = 5.0,
    settle: float = 1.0,
    log_path: Path | None = None,
    workers: int | None = None,
    on_result: Callable[[RebuildResult], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> None:
    """Rebuild whenever the documents folder changes, in one long-lived process.

    Polls the folder every ``interval`` seconds; once a change has been still for ``settle``
    seconds (a copy in progress), runs :func:`rebuild`. The process keeps great-expectations
    imported and dbt's parsed project in memory, so a rebuild after one new document costs only
    that document's work plus the tests. A rebuild started elsewhere (cron, Dagster) holds the
    lock; the watcher then retries at the next poll.
    """
    from loaders.validate import prepare

    prepare()  # great-expectations imported and its suites built once, not on every rebuild
    session = DbtSession(keep_project=True)
    frozen_at = -1
    seen: tuple[tuple[str, int, int], ...] | None = None
    try:
        while not should_stop():
            current = _folder_state(docs_dir)
            if current != seen:
                time.sleep(settle)
                if _folder_state(docs_dir) != current:
                    continue  # still being written: look again
                try:
                    result = rebuild(
                        docs_dir, live, landed, log_path=log_path, workers=workers, session=session
                    )
                except RebuildLocked:
                    time.sleep(interval)
                    continue
                if session.parses != frozen_at:
                    # what stays for the process's life (dbt's parsed project,
                    # great-expectations) leaves the garbage collector's work: each later
                    # rebuild collects faster
                    gc.unfreeze()
                    gc.collect()
                    gc.freeze()
                    frozen_at = session.parses
                seen = current
                if on_result:
                    on_result(result)
            time.sleep(interval)
    finally:
        gc.unfreeze()  # the interpreter tears everything down as usual on exit
