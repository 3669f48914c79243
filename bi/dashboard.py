"""The Superset dashboard of the marts, kept in bi/dashboard/ as Superset's own export files.

``bi/dashboard/`` is what Superset's "Export dashboard" writes (unzipped, so a change is a
readable diff): the database connection, three SQL datasets over the marts, five charts and the
dashboard "Budget disclosures overview" (slug ``budget-overview``). The connection's URL in
``databases/budget_warehouse.yaml`` is a placeholder; :func:`bundle` zips the folder with the
read-only URL of the warehouse file you give it, ready for Superset's "Import dashboard" (UI) or
``POST /api/v1/dashboard/import/`` (what ``make test-bi`` does)::

    python bi/dashboard.py --warehouse warehouse/budget.duckdb --out budget_dashboard.zip

Standard library only: it runs in the project's .venv and in Superset's.
"""

from __future__ import annotations

import argparse
import io
import re
import zipfile
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "dashboard"
# the folder name inside the zip (Superset's importer wants one top-level folder)
ZIP_ROOT = "budget_dashboard"
DATABASE_FILE = "databases/budget_warehouse.yaml"
URI_LINE = re.compile(r"^sqlalchemy_uri: .*$", re.MULTILINE)
SLUG = "budget-overview"


def read_only_uri(warehouse: Path) -> str:
    """duckdb-engine's URL of ``warehouse``, opened read-only (four slashes: an absolute path)."""
    return f"duckdb:///{Path(warehouse).resolve()}?access_mode=read_only"


def bundle(warehouse: Path, folder: Path = FOLDER) -> bytes:
    """The dashboard export as a zip, its connection pointing at ``warehouse`` (read-only).

    Raises:
        ValueError: the folder has no database file with a ``sqlalchemy_uri`` line.
    """
    files = sorted(p for p in folder.rglob("*.yaml") if p.is_file())
    if not (folder / DATABASE_FILE).is_file():
        raise ValueError(f"{folder} has no {DATABASE_FILE}")
    uri_line = f"sqlalchemy_uri: {read_only_uri(warehouse)}"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            name = path.relative_to(folder).as_posix()
            text = path.read_text(encoding="utf-8")
            if name == DATABASE_FILE:
                if not URI_LINE.search(text):
                    raise ValueError(f"{path}: no sqlalchemy_uri line")
                text = URI_LINE.sub(lambda _: uri_line, text, count=1)
            archive.writestr(f"{ZIP_ROOT}/{name}", text)
    return out.getvalue()


def main() -> None:
    """Write the dashboard zip for a warehouse file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=Path("warehouse/budget.duckdb"))
    parser.add_argument("--out", type=Path, default=Path("budget_dashboard.zip"))
    args = parser.parse_args()
    args.out.write_bytes(bundle(args.warehouse))
    print(f"{args.out}: import it in Superset (Dashboards → Import); it reads {args.warehouse}")


if __name__ == "__main__":
    main()
