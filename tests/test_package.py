"""Installed as a package (a wheel, no checkout), ``budget-loaders rebuild`` builds a warehouse.

Builds the project's wheel, installs it with ``pip install --no-deps --target`` (its
dependencies are this venv's), and runs the installed ``budget-loaders`` in a folder outside
the checkout: the dbt project comes from the package data (budget_warehouse_dbt), not from the
checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest
from conftest import DOCUMENTS, SAMPLES

ROOT = Path(__file__).resolve().parent.parent
PROJECT_FOLDERS = ("models/", "macros/", "seeds/", "tests/dbt/")
PROJECT_FILES = ("dbt_project.yml", "profiles.yml")
PIP = [sys.executable, "-m", "pip", "--quiet", "--disable-pip-version-check"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(the built wheel, the folder it is installed into)."""
    tmp = tmp_path_factory.mktemp("package")
    build = subprocess.run(
        [*PIP, "wheel", "--no-deps", str(ROOT), "-w", str(tmp / "wheel")],
        cwd=tmp, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr[-3000:]
    shutil.rmtree(ROOT / "build", ignore_errors=True)  # setuptools' scratch folder
    (wheel,) = (tmp / "wheel").glob("*.whl")
    site = tmp / "site"
    install = subprocess.run(
        [*PIP, "install", "--no-deps", "--target", str(site), str(wheel)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr[-3000:]
    return wheel, site


def _tracked_project_files() -> set[str]:
    names = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    return {
        name
        for name in names
        if name in PROJECT_FILES
        or (
            name.startswith(PROJECT_FOLDERS)
            and "landed" not in name
            and not Path(name).name.startswith(".")  # lint settings (.sqlfluff), not the project
        )
    }


def test_the_wheel_carries_the_whole_dbt_project(installed):
    wheel, _ = installed
    with zipfile.ZipFile(wheel) as archive:
        packaged = {
            name.removeprefix("budget_warehouse_dbt/")
            for name in archive.namelist()
            if name.startswith("budget_warehouse_dbt/")
        }
    expected = _tracked_project_files()
    assert "models/marts/_marts__models.yml" in expected
    assert expected <= packaged, sorted(expected - packaged)


def test_the_installed_command_rebuilds_outside_a_checkout(installed, tmp_path):
    _, site = installed
    (tmp_path / "docs").mkdir()
    shutil.copy(DOCUMENTS / SAMPLES["anyang"], tmp_path / "docs")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("BUDGET_") and key != "PYTHONPATH"
    }
    env["PYTHONPATH"] = str(site)
    where = subprocess.run(
        [sys.executable, "-c", "import loaders, loaders.project as p; "
         "print(loaders.__file__); print(p.project_dir())"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=True,
    ).stdout.split()  # fmt: skip
    assert all(Path(path).is_relative_to(site) for path in where), where  # not the checkout
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    run = subprocess.run(
        [str(site / "bin" / "budget-loaders"), "rebuild", "--docs", "docs",
         "--landed", "out/landed", "--warehouse", "out/budget.duckdb"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    assert "rebuild succeeded" in run.stdout
    with duckdb.connect(str(tmp_path / "out" / "budget.duckdb"), read_only=True) as con:
        total = con.execute(
            "select expenditure_total from mart_budget_overview where city_name_zh = '安阳市'"
        ).fetchone()
    assert str(total[0]) == "31029.760000"  # 收入总计 / 支出总计 printed in the Anyang budget
    after = sorted(p.relative_to(site) for p in site.rglob("*") if "__pycache__" not in p.parts)
    assert after == [p for p in before if "__pycache__" not in p.parts]  # nothing written there
