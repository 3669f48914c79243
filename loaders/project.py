"""Where the dbt project is: a checkout, or the copy installed with the package.

From a checkout (``make build``) the project is the folder that holds ``loaders/``. Installed
as a package (``pip install .``), ``dbt_project.yml``, ``profiles.yml``, ``models/``,
``macros/``, ``seeds/`` (code lists, no landed data) and ``tests/dbt/`` are package data of
``budget_warehouse_dbt`` (pyproject.toml), and the rebuild uses that copy. ``BUDGET_PROJECT_DIR``
points at another project folder (a fork of the models, say).
"""

from __future__ import annotations

import os
from importlib import util as importlib_util
from pathlib import Path

PROJECT_FILE = "dbt_project.yml"
CHECKOUT = Path(__file__).resolve().parent.parent


class ProjectNotFoundError(FileNotFoundError):
    """No dbt project where the environment, the checkout or the installed package says."""


def project_dir() -> Path:
    """The dbt project folder: $BUDGET_PROJECT_DIR, else the checkout, else the installed copy.

    Raises:
        ProjectNotFoundError: none of them holds a dbt_project.yml.
    """
    chosen = os.environ.get("BUDGET_PROJECT_DIR")
    if chosen:
        folder = Path(chosen).resolve()
        if not (folder / PROJECT_FILE).is_file():
            raise ProjectNotFoundError(f"BUDGET_PROJECT_DIR={chosen}: no {PROJECT_FILE} there")
        return folder
    if (CHECKOUT / PROJECT_FILE).is_file():
        return CHECKOUT
    spec = importlib_util.find_spec("budget_warehouse_dbt")
    for location in (spec.submodule_search_locations or []) if spec else []:
        if (Path(location) / PROJECT_FILE).is_file():
            return Path(location).resolve()
    raise ProjectNotFoundError(
        f"no dbt project: {CHECKOUT / PROJECT_FILE} does not exist and the installed package has "
        "no budget_warehouse_dbt data (reinstall the package, or set BUDGET_PROJECT_DIR to a "
        "checkout)"
    )
