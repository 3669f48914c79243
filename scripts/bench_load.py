"""Benchmark the loaders (and optionally dbt) on a synthetic corpus.

Generates N documents from the samples (scripts/synthetic_corpus.py), loads them end to end
(read, parse, validate, write Parquet) into a fresh folder, and reports documents per second and
peak memory (this process plus its parser processes). With ``--dbt`` it then runs one
``dbt build`` on the landed corpus into a scratch DuckDB file and reports its time.

Usage: ``python scripts/bench_load.py [--count 1000] [--workers 2] [--dbt]``
Targets (issue 2): >= 200 documents/s end to end, peak memory < 1 GB, on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synthetic_corpus import generate  # noqa: E402

from loaders.landing import load  # noqa: E402


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def main() -> None:
    """Run the benchmark and print one line per figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--no-gate", action="store_true", help="skip the great-expectations gate")
    parser.add_argument("--dbt", action="store_true", help="also time one dbt build on the corpus")
    parser.add_argument("--keep", type=Path, default=None, help="keep corpus and output here")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="budget-bench-"))
    corpus, landed = root / "corpus", root / "landed"
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.rmtree(landed, ignore_errors=True)
    started = time.perf_counter()
    generate(Path("data/documents"), corpus, args.count)
    print(f"corpus: {args.count} documents generated in {time.perf_counter() - started:.2f}s")
    started = time.perf_counter()
    report = load([corpus], landed, workers=args.workers, gate=not args.no_gate)
    elapsed = time.perf_counter() - started
    print(
        f"load: {len(report.loaded)} loaded, {len(report.rejected)} rejected, "
        f"{len(report.quarantined)} quarantined in {elapsed:.2f}s = "
        f"{args.count / elapsed:.0f} documents/s ({args.workers} workers, gate "
        f"{'off' if args.no_gate else 'on'})"
    )
    print(f"peak memory: {_peak_mb():.0f} MB (max RSS of this process or one parser process)")
    if args.dbt:
        env = {
            **os.environ,
            "BUDGET_LANDED_PATH": str(landed),
            "BUDGET_WAREHOUSE_PATH": str(root / "bench.duckdb"),
        }
        dbt = Path(sys.executable).parent / "dbt"
        started = time.perf_counter()
        run = subprocess.run(
            [str(dbt), "build", "--project-dir", ".", "--profiles-dir", ".", "--quiet"],
            env=env,
            capture_output=True,
            text=True,
        )
        print(
            f"dbt build: exit {run.returncode} in {time.perf_counter() - started:.2f}s "
            f"on {args.count} documents"
        )
        if run.returncode:
            print(run.stdout[-3000:], run.stderr[-3000:])
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
