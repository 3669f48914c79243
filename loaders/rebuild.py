"""Scheduled rebuilds: land new/changed documents, build beside the live warehouse, swap.

The live DuckDB file is never opened for writing. A rebuild:

1. takes an exclusive ``flock`` on ``<live>.lock`` (the kernel drops it if the process dies, so
   a crashed run never leaves the lock stuck);
2. lands the documents folder incrementally (content hash; removed files leave the warehouse);
3. runs one ``dbt build`` into ``.<live>.building-<pid>`` beside the live file;
4. if every pipeline test passed (dbt exit 0; document-quality rules are warnings), replaces the
   live file with ``os.replace`` — atomic, so readers see the old or the new file, never a mix;
   otherwise deletes the new file and leaves the last good warehouse live;
5. appends one JSON line to the run log.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from loaders.landing import load, read_manifest

PROJECT_DIR = Path(__file__).resolve().parent.parent


@dataclass
class RebuildResult:
    """One rebuild, as written to the run log."""

    started: str
    finished: str = ""
    outcome: str = "running"  # succeeded / failed / locked
    reason: str = ""
    live_path: str = ""
    seconds: float = 0.0
    load_seconds: float = 0.0
    dbt_seconds: float = 0.0
    documents: dict[str, int] = field(default_factory=dict)
    tests: dict[str, int] = field(default_factory=dict)
    findings: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


class RebuildLocked(RuntimeError):
    """Another rebuild holds the lock."""


def _paths(live: Path) -> tuple[Path, Path]:
    building = live.with_name(f".{live.name}.building-{os.getpid()}")
    return building, live.with_name(live.name + ".lock")


def _clean_stale_builds(live: Path) -> None:
    """Remove build files of rebuilds that died (their pid is gone)."""
    for path in live.parent.glob(f".{live.name}.building-*"):
        pid = path.name.rsplit("-", 1)[-1].split(".")[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            path.unlink(missing_ok=True)


def _fingerprint(landed: Path) -> dict[str, str]:
    """What a warehouse is built from: the landed documents and the project files that shape it.

    Written beside the live file after a successful swap; a rebuild with nothing new to land is
    skipped only when both parts still match (so a failed build is retried on the next run, and
    a change to seeds, models or macros rebuilds without any new document).
    """
    documents = sorted(read_manifest(landed)["documents"])
    project = hashlib.sha256()
    for folder in ("models", "macros", "seeds", "tests/dbt"):
        for path in sorted((PROJECT_DIR / folder).rglob("*")):
            if (
                path.is_file()
                and "landed" not in path.parts
                and path.suffix in (".sql", ".yml", ".csv", ".md")
            ):
                project.update(
                    str(path.relative_to(PROJECT_DIR)).encode() + b"\0" + path.read_bytes()
                )
    for name in ("dbt_project.yml", "profiles.yml"):
        project.update((PROJECT_DIR / name).read_bytes())
    return {
        "documents": hashlib.sha256("\n".join(documents).encode()).hexdigest(),
        "project": project.hexdigest(),
    }


def _dbt_results(target: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    path = target / "run_results.json"
    if not path.exists():
        return counts
    for result in json.loads(path.read_text()).get("results", []):
        if result["unique_id"].startswith("test."):
            counts[result["status"]] = counts.get(result["status"], 0) + 1
    return counts


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
) -> RebuildResult:
    """Run one rebuild (see the module docstring). Never raises for a failed build.

    Args:
        docs_dir: the documents folder (the complete set: removed files leave the warehouse).
        live: the live warehouse file readers query.
        landed: the landed-data folder dbt reads.
        log_path: JSON-lines run log (default ``<live>.runs.jsonl``).
        dbt_args: extra arguments for ``dbt build``.
        workers: parser processes.
        force: build even when nothing changed since the live warehouse was built.

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
        _clean_stale_builds(live)
        try:
            _run(docs_dir, live, landed, building, result, dbt_args or [], workers, force)
        except Exception as error:  # noqa: BLE001 - the live warehouse must survive anything
            result.outcome, result.reason = "failed", f"{type(error).__name__}: {error}"
        finally:
            building.unlink(missing_ok=True)
            Path(str(building) + ".wal").unlink(missing_ok=True)
        result.finished = datetime.now(UTC).isoformat(timespec="seconds")
        result.seconds = round(time.perf_counter() - started, 2)
        with open(log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(asdict(result), ensure_ascii=False) + "\n")
        return result
    finally:
        lock.close()


def _run(
    docs_dir: Path,
    live: Path,
    landed: Path,
    building: Path,
    result: RebuildResult,
    dbt_args: list[str],
    workers: int | None,
    force: bool,
) -> None:
    # an unmounted share or an emptied folder must not empty the warehouse
    if not docs_dir.is_dir() or not any(
        p.is_file() and not p.name.startswith(".") for p in docs_dir.rglob("*")
    ):
        result.outcome = "failed"
        result.reason = (
            f"documents folder {docs_dir} is missing or empty: refusing to remove every document; "
            "the live warehouse was not replaced"
        )
        return
    before = read_manifest(landed)["documents"]
    t0 = time.perf_counter()
    report = load([docs_dir], landed, sync=True, workers=workers)
    result.load_seconds = round(time.perf_counter() - t0, 2)
    removed_files = {before[d]["source_file"] for d in report.removed}
    changed = sum(1 for d in report.loaded if d["source_file"] in removed_files)
    result.documents = {
        "added": len(report.loaded) - changed,
        "changed": changed,
        "removed": len(report.removed) - changed,
        "unchanged": len(report.skipped),
        "rejected": len(report.rejected),
        "quarantined": len(report.quarantined),
    }
    result.problems = [r.message for r in report.rejected] + [
        f"{source}: quarantined: {'; '.join(reasons)}"
        for source, reasons in report.quarantined.items()
    ]
    state_path = live.with_name(live.name + ".state.json")
    fingerprint = _fingerprint(landed)
    built_from = json.loads(state_path.read_text()) if state_path.exists() else None
    if live.exists() and not force and built_from == fingerprint:
        result.outcome, result.reason = "succeeded", "no new, changed or removed documents"
        return
    env = {
        **os.environ,
        "BUDGET_WAREHOUSE_PATH": str(building),
        "BUDGET_LANDED_PATH": str(landed.resolve()),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DO_NOT_TRACK": "1",
    }
    target = PROJECT_DIR / "target" / "rebuild"
    dbt = shutil.which("dbt", path=str(Path(sys.executable).parent)) or "dbt"
    t0 = time.perf_counter()
    run = subprocess.run(
        [dbt, "build", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
         "--target-path", str(target), *dbt_args],
        env=env, capture_output=True, text=True, cwd=PROJECT_DIR,
    )  # fmt: skip
    result.dbt_seconds = round(time.perf_counter() - t0, 2)
    result.tests = _dbt_results(target)
    if run.returncode != 0:
        failing = [line for line in run.stdout.splitlines() if "FAIL" in line or "ERROR" in line]
        result.outcome = "failed"
        result.reason = (
            f"dbt build exited {run.returncode}; the live warehouse was not replaced. "
            + " | ".join(failing[-8:])
        )
        return
    result.findings = _findings(building)
    os.replace(building, live)
    state_path.write_text(json.dumps(fingerprint))
    result.outcome, result.reason = "succeeded", "new warehouse is live"
