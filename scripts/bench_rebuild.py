"""Benchmark rebuilds on the synthetic corpus: a full rebuild, then a rebuild after adding one.

Generates N documents (scripts/synthetic_corpus.py) into a temporary documents folder, runs
``python -m loaders rebuild`` from scratch (full: parse everything, one dbt build, swap), then
adds one more document and rebuilds again (incremental landing: only that document is parsed).
Prints both wall times, their split into load and dbt (from the run log) and their ratio.

Usage: ``python scripts/bench_rebuild.py [--count 1000]``
Target (issue 4): the one-document rebuild takes at most 25% of the full rebuild.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_corpus import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


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
    log = Path(env["BUDGET_WAREHOUSE_PATH"] + ".runs.jsonl").read_text().splitlines()[-1]
    return elapsed, json.loads(log)


def main() -> None:
    """Run both rebuilds and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="budget-rebuild-bench-"))
    try:
        docs, spare = root / "docs", root / "spare"
        paths = generate(ROOT / "data" / "documents", spare, args.count + 1)
        docs.mkdir()
        for path in paths[:-1]:
            shutil.move(str(path), docs / path.name)
        env = {
            **os.environ,
            "BUDGET_DOCS_DIR": str(docs),
            "BUDGET_LANDED_PATH": str(root / "landed"),
            "BUDGET_WAREHOUSE_PATH": str(root / "live" / "budget.duckdb"),
        }
        full, full_log = _rebuild(env)
        print(
            f"full rebuild of {args.count} documents: {full:.1f}s "
            f"(load {full_log['load_seconds']}s, dbt {full_log['dbt_seconds']}s)"
        )
        shutil.move(str(paths[-1]), docs / paths[-1].name)
        one, one_log = _rebuild(env)
        print(
            f"rebuild after adding one document: {one:.1f}s "
            f"(load {one_log['load_seconds']}s, dbt {one_log['dbt_seconds']}s; "
            f"documents {one_log['documents']})"
        )
        print(f"one-document rebuild / full rebuild = {100 * one / full:.0f}% (target <= 25%)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
