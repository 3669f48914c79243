"""The dbt docs site of the warehouse, generated against a copy of the live file.

``dbt docs generate`` connects to the warehouse through the profile, and dbt-duckdb opens the
file for writing: run against the live file it holds DuckDB's write lock for the whole
generation, and every reader that opens the file meanwhile fails with a lock error.
:func:`generate` copies the live file first (a rebuild only ever swaps the live file whole, with
``os.replace``, so a copy is one complete build), points dbt at the copy, and deletes the copy
when the site is written. The live file is only ever read, like any other reader's.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from loaders.project import project_dir
from loaders.rebuild import close_dbt_connections, environment_set

SITE_FILES = ("index.html", "manifest.json", "catalog.json")


def generate(live: Path, out: Path, landed: Path) -> Path:
    """Write the docs site (index.html, manifest.json, catalog.json) into ``out``.

    Args:
        live: the live warehouse file (copied, never opened).
        out: the site folder (dbt's target path for this run).
        landed: the landed Parquet folder the sources point at.

    Returns:
        The site's index.html.

    Raises:
        FileNotFoundError: no warehouse file at ``live``.
        RuntimeError: dbt docs generate failed (its message).
    """
    from dbt.cli.main import dbtRunner

    live, out = Path(live), Path(out)
    if not live.is_file():
        raise FileNotFoundError(f"no warehouse file at {live}")
    project = project_dir()
    out.mkdir(parents=True, exist_ok=True)
    copy = out / f".docs-copy-{os.getpid()}.duckdb"
    try:
        shutil.copyfile(live, copy)
        env = {
            "BUDGET_WAREHOUSE_PATH": str(copy),
            "BUDGET_LANDED_PATH": str(Path(landed).resolve()),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "DO_NOT_TRACK": "1",
        }
        args = [
            "docs", "generate",
            "--project-dir", str(project), "--profiles-dir", str(project),
            "--target-path", str(out.resolve()), "--log-path", str(out.resolve()),
            "--log-level", "none", "--log-level-file", "warn",
        ]  # fmt: skip
        with environment_set(env):
            try:
                run = dbtRunner().invoke(args)
            finally:
                close_dbt_connections()
        if not run.success:
            raise RuntimeError(f"dbt docs generate failed: {run.exception}")
    finally:
        for leftover in (copy, copy.with_name(copy.name + ".wal")):
            leftover.unlink(missing_ok=True)
    missing = [name for name in SITE_FILES if not (out / name).is_file()]
    if missing:
        raise RuntimeError(f"dbt docs generate wrote no {', '.join(missing)} in {out}")
    return out / "index.html"
