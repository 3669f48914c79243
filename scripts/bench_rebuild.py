"""Benchmark rebuilds on the synthetic corpus: a full rebuild, then rebuilds after adding one.

Generates N + 3 documents (scripts/synthetic_corpus.py) and puts N in a temporary documents
folder, then measures:

1. **full rebuild**: ``python -m loaders rebuild`` from nothing (parse everything, one dbt build
   of a fresh file, swap) — wall time of the command;
2. **one document, scheduled command**: add one document, run ``python -m loaders rebuild``
   again (a new process, as cron or the systemd timer starts it: the incremental build);
3. **one document, watcher**: start ``python -m loaders watch`` (the long-running service, which
   keeps great-expectations and the parsed dbt project loaded), add one more document, then
   another, and take each rebuild's duration from the run log: the first rebuild after the
   watcher started (it still compiles dbt's templates), and the next one (the steady state);
   also prints the time from dropping the file in to the new warehouse being live (adds the
   polling interval).

Prints each time, its split into load and dbt (from the run log) and its ratio to the full
rebuild: for the command, wall time against wall time; for the watcher (whose process is already
running), the run log's time against the full rebuild's run-log time, which leaves out the
full command's process start and imports, and also against the full command's wall time.
Usage: ``python scripts/bench_rebuild.py [--count 1000]``.
Target (issue 4): the one-document rebuild takes at most 25% of the full rebuild.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_corpus import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _log(env: dict[str, str]) -> list[dict]:
    path = Path(env["BUDGET_WAREHOUSE_PATH"] + ".runs.jsonl")
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def _rebuild(env: dict[str, str]) -> tuple[float, dict]:
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "loaders", "rebuild"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if run.returncode:
        raise SystemExit(f"rebuild failed:\n{run.stdout}\n{run.stderr}")
    return elapsed, _log(env)[-1]


def _wait_for_runs(env: dict[str, str], count: int, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = _log(env)
        if len(runs) >= count:
            return runs[count - 1]
        time.sleep(0.05)
    raise SystemExit(f"the watcher did not log run {count} within {timeout:.0f}s")


def _line(label: str, seconds: float, log: dict, full: float | None = None) -> str:
    ratio = f" = {100 * seconds / full:.0f}% of the full rebuild" if full else ""
    return (
        f"{label}: {seconds:.1f}s{ratio} ({log['mode']}: load {log['load_seconds']}s, "
        f"dbt {log['dbt_seconds']}s; documents {log['documents']})"
    )


def _ratios(seconds: float, full_wall: float, full_log: dict) -> str:
    return (
        f"  = {100 * seconds / full_log['seconds']:.0f}% of the full rebuild timed the same way "
        f"(inside the rebuild, {full_log['seconds']}s; "
        f"{100 * seconds / full_wall:.0f}% of the full command's {full_wall:.1f}s)"
    )


def main() -> None:
    """Run the rebuilds and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=1.0, help="watcher poll interval")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="budget-rebuild-bench-"))
    watcher = None
    try:
        docs, spare = root / "docs", root / "spare"
        paths = generate(ROOT / "data" / "documents", spare, args.count + 3)
        docs.mkdir()
        for path in paths[: args.count]:
            shutil.move(str(path), docs / path.name)
        env = {
            **os.environ,
            "BUDGET_DOCS_DIR": str(docs),
            "BUDGET_LANDED_PATH": str(root / "landed"),
            "BUDGET_WAREHOUSE_PATH": str(root / "live" / "budget.duckdb"),
        }
        full, full_log = _rebuild(env)
        print(_line(f"full rebuild of {args.count} documents (command)", full, full_log))
        print(f"  of which inside the rebuild (run log): {full_log['seconds']}s")

        shutil.move(str(paths[-3]), docs / paths[-3].name)
        one, one_log = _rebuild(env)
        print(_line("rebuild after adding one document (command)", one, one_log, full))

        watcher = subprocess.Popen(
            [sys.executable, "-m", "loaders", "watch", "--interval", str(args.interval)],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        runs = len(_log(env))
        _wait_for_runs(env, runs + 1, 300)  # its first look: nothing changed (it parses dbt)
        for n, label in enumerate(("first after the watcher started", "the next one"), 1):
            time.sleep(args.interval)
            dropped = time.perf_counter()
            shutil.move(str(paths[-n]), docs / paths[-n].name)
            watched = _wait_for_runs(env, runs + 1 + n, 300)
            live_after = time.perf_counter() - dropped
            print(_line(f"rebuild after adding one document (watcher, {label})",
                        watched["seconds"], watched))  # fmt: skip
            print(_ratios(watched["seconds"], full, full_log))
            print(f"  dropped in -> live: {live_after:.1f}s (poll interval {args.interval:g}s)")
    finally:
        if watcher is not None:
            os.killpg(watcher.pid, signal.SIGTERM)
            try:
                watcher.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(watcher.pid, signal.SIGKILL)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
