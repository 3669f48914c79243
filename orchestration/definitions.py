"""Dagster definitions: the warehouse rebuild as assets, with dbt lineage, on a daily schedule.

Run the UI from the repo root with the orchestration venv (``make test-orchestration`` makes it)::

    .venv-orchestration/bin/dagster dev -m orchestration.definitions

Design: one step does the whole rebuild, dagster-dbt only describes it.

* ``rebuild_warehouse`` is one multi-asset that calls :func:`loaders.rebuild.rebuild`, the same
  function as ``python -m loaders rebuild``, cron and the systemd unit: take the lock, land new
  and changed documents (``loaders.landing.load(..., sync=True)``), run one ``dbt build`` into a
  new file beside the live warehouse, and swap it in with ``os.replace`` only if every pipeline
  test passed. Its assets are the landed Parquet datasets (``landed/documents``,
  ``landed/cells``, ...: the tables of the dbt source ``landed``, which the loaders write) and
  every dbt seed and model, all taken from the dbt manifest by dagster-dbt's
  :func:`~dagster_dbt.build_dbt_asset_specs`, so the UI shows the real lineage
  ``landed/* -> stg_landed__* -> int_* -> dim_*/fct_*/mart_*``.
* It is deliberately *not* ``@dbt_assets`` running ``dbt build`` through a ``DbtCliResource``:
  that would build into the file ``profiles.yml`` names (the live warehouse) in place: readers
  locked out for the whole build (DuckDB lets one process write a file, and no other open it
  meanwhile), a failed test leaving a half-rebuilt warehouse live, and no lock to keep a cron
  or manual rebuild from running at the same time. Nor are
  landing and dbt two Dagster steps: ``rebuild()`` decides whether to build from what the
  landing step found, so landing first in a separate step would make it skip the build. The
  dbt models are therefore one unit (``can_subset=False``): they are built, tested and swapped
  in together or not at all.
* What is materialised says what happened to the live warehouse: after a swap, every asset is
  materialised (models with their row counts in the new file); if nothing changed (no new,
  changed or removed document), none is; if the build failed, the ``landed/*`` datasets are
  materialised when documents were landed or removed, and the step fails with the rebuild's
  reason (the last good warehouse stays live). A rebuild already running (the lock is held)
  fails the step, and so does a missing or empty documents folder (the folder is the complete
  set: a rebuild from an unmounted share would remove every document from the warehouse).
* ``warehouse_exports`` (downstream of the marts) then writes the DuckDB 1.4-format file and the
  Parquet files (:func:`loaders.export.export`); it is skipped when the marts were not rebuilt.
* The manifest is parsed into ``target/dagster`` (``dbt parse`` reads no data and opens no
  warehouse): under ``dagster dev`` on every load, otherwise only when it is missing.

Paths come from the ``warehouse`` resource, by default from the same environment variables as
the CLI (``BUDGET_DOCS_DIR``, ``BUDGET_WAREHOUSE_PATH``, ``BUDGET_LANDED_PATH``); relative paths
are taken from the repo root, not from the Dagster process's working directory. The schedule
runs at 03:00 in ``BUDGET_REBUILD_TIMEZONE`` (default UTC; Dagster schedules ignore the
machine's local time zone) and starts enabled, so a running ``dagster-daemon`` runs it.
"""

import json
import os
import shutil
import sys
from collections.abc import Iterator, Mapping, Sequence
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any, Self

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, build_dbt_asset_specs

from loaders.export import export
from loaders.rebuild import RebuildLocked, rebuild

ROOT = Path(__file__).resolve().parent.parent
DBT_TARGET = ROOT / "target" / "dagster"
JOB_NAME = "rebuild_warehouse_job"
SCHEDULE_NAME = "daily_rebuild"
CRON = "0 3 * * *"


class BudgetWarehouse(dg.ConfigurableResource):
    """Where the rebuild reads and writes (relative paths are taken from the repo root)."""

    docs_dir: str = "data/documents"
    warehouse_path: str = "warehouse/budget.duckdb"
    landed_path: str = "seeds/landed"
    exports_dir: str = "warehouse/exports"

    @classmethod
    def from_env(cls) -> Self:
        """The paths ``python -m loaders rebuild`` would use (BUDGET_* environment variables)."""
        return cls(
            docs_dir=os.environ.get("BUDGET_DOCS_DIR", "data/documents"),
            warehouse_path=os.environ.get("BUDGET_WAREHOUSE_PATH", "warehouse/budget.duckdb"),
            landed_path=os.environ.get("BUDGET_LANDED_PATH", "seeds/landed"),
        )

    def path(self, value: str) -> Path:
        """``value`` as an absolute path (relative ones from the repo root)."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else ROOT / path


class BudgetDbtTranslator(DagsterDbtTranslator):
    """dbt node -> Dagster asset group: seeds ``reference``, models their layer's folder."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """Seeds -> ``reference``; models -> their folder (staging, intermediate, marts)."""
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props["resource_type"] == "model" and len(fqn) > 2:
            return fqn[1]
        return super().get_group_name(dbt_resource_props)


def _dbt_executable() -> str:
    return shutil.which("dbt", path=str(Path(sys.executable).parent)) or "dbt"


def dbt_manifest(project: DbtProject) -> Path:
    """Path of the project's manifest, parsed now under ``dagster dev`` or when missing.

    Like ``DbtProject.prepare_if_dev``, but with this venv's dbt (the venv need not be on PATH).
    """
    if os.environ.get("DAGSTER_IS_DEV_CLI") or not project.manifest_path.exists():
        dbt = DbtCliResource(
            project_dir=project, profiles_dir=str(ROOT), dbt_executable=_dbt_executable()
        )
        dbt.cli(["parse", "--quiet"], target_path=project.target_path).wait()
    return project.manifest_path


def landed_specs(manifest: Mapping[str, Any]) -> list[dg.AssetSpec]:
    """One asset per table of the dbt source ``landed``: the Parquet datasets the loaders write.

    Same keys as dagster-dbt gives a source (``landed/<table>``), so the models depend on them.
    """
    translator = BudgetDbtTranslator()
    return [
        dg.AssetSpec(
            translator.get_asset_key(source),
            description=source.get("description") or None,
            group_name="landed",
            kinds={"python", "parquet"},
            skippable=True,
        )
        for source in sorted(manifest["sources"].values(), key=lambda s: s["name"])
        if source["source_name"] == "landed"
    ]


def in_dependency_order(specs: Sequence[dg.AssetSpec]) -> list[dg.AssetSpec]:
    """``specs`` parents first: a multi-asset must yield its outputs in that order."""
    by_key = {spec.key: spec for spec in specs}
    graph = {
        spec.key: {dep.asset_key for dep in spec.deps if dep.asset_key in by_key} for spec in specs
    }
    return [by_key[key] for key in TopologicalSorter(graph).static_order()]


dbt_project = DbtProject(project_dir=ROOT, profiles_dir=ROOT, target_path=DBT_TARGET)
MANIFEST = json.loads(dbt_manifest(dbt_project).read_text(encoding="utf-8"))
LANDED_SPECS = landed_specs(MANIFEST)
DBT_SPECS = in_dependency_order(
    [
        spec.replace_attributes(skippable=True)
        for spec in build_dbt_asset_specs(
            manifest=MANIFEST, dagster_dbt_translator=BudgetDbtTranslator(), project=dbt_project
        )
    ]
)
MART_KEYS = [spec.key for spec in DBT_SPECS if spec.group_name == "marts"]


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns


def _row_counts(path: Path) -> dict[str, int]:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "select table_name from duckdb_tables() where schema_name = 'main'"
        ).fetchall()
        return {
            name: con.execute(f'select count(*) from main."{name}"').fetchone()[0]
            for (name,) in tables
        }


@dg.multi_asset(
    name="rebuild_warehouse",
    specs=[*LANDED_SPECS, *DBT_SPECS],
    can_subset=False,
    description=(
        "Land new/changed documents, dbt build into a new file beside the live warehouse and "
        "swap it in atomically if every pipeline test passed (loaders.rebuild.rebuild)."
    ),
)
def rebuild_warehouse(
    context: dg.AssetExecutionContext, warehouse: BudgetWarehouse
) -> Iterator[dg.MaterializeResult]:
    """One rebuild; materialises what changed in the live warehouse (see the module docstring)."""
    docs = warehouse.path(warehouse.docs_dir)
    if not docs.is_dir() or not any(docs.iterdir()):
        # the folder is the complete set: rebuilding from nothing would empty the warehouse
        raise dg.Failure(description=f"not run: documents folder {docs} is missing or empty")
    live = warehouse.path(warehouse.warehouse_path)
    before = _file_id(live)
    try:
        result = rebuild(docs, live, warehouse.path(warehouse.landed_path))
    except RebuildLocked as error:
        raise dg.Failure(description=f"not run: {error}") from None
    summary = {
        "outcome": result.outcome,
        "mode": result.mode,
        "reason": result.reason,
        "live_path": dg.MetadataValue.path(result.live_path),
        "seconds": result.seconds,
        "documents": dg.MetadataValue.json(result.documents),
        "tests": dg.MetadataValue.json(result.tests),
        "findings": dg.MetadataValue.json(result.findings),
        "problems": dg.MetadataValue.json(result.problems),
    }
    for problem in result.problems:
        context.log.warning(problem)
    landed_changed = any(result.documents.get(k) for k in ("added", "changed", "removed"))
    if result.outcome != "succeeded":
        if landed_changed:
            for spec in LANDED_SPECS:
                yield dg.MaterializeResult(asset_key=spec.key, metadata=summary)
        raise dg.Failure(description=f"rebuild {result.outcome}: {result.reason}", metadata=summary)
    if _file_id(live) == before:
        context.log.info(f"live warehouse unchanged: {result.reason}")
        return
    for spec in LANDED_SPECS:
        yield dg.MaterializeResult(asset_key=spec.key, metadata=summary)
    counts = _row_counts(live)
    for spec in DBT_SPECS:
        name = spec.key.path[-1]
        metadata = {"dagster/row_count": counts[name]} if name in counts else {}
        yield dg.MaterializeResult(asset_key=spec.key, metadata=metadata)


@dg.asset(
    key="warehouse_exports",
    deps=MART_KEYS,
    group_name="exports",
    kinds={"duckdb", "parquet"},
    description=(
        "The marts as a DuckDB file in storage version v1.4.0 (budget_v1_4.duckdb, readable by "
        "DuckDB 1.4+) and one Parquet file per mart (loaders.export.export)."
    ),
)
def warehouse_exports(warehouse: BudgetWarehouse) -> dg.MaterializeResult:
    """Export the marts of the live warehouse."""
    report = export(warehouse.path(warehouse.warehouse_path), warehouse.path(warehouse.exports_dir))
    return dg.MaterializeResult(
        metadata={
            "compat_path": dg.MetadataValue.path(str(report.compat_path)),
            "parquet_dir": dg.MetadataValue.path(str(report.parquet_dir)),
            "row_counts": dg.MetadataValue.json(report.row_counts),
        }
    )


rebuild_job = dg.define_asset_job(
    JOB_NAME,
    selection=dg.AssetSelection.all(),
    description="Rebuild the warehouse (atomic swap), then export the marts.",
)

daily_rebuild = dg.ScheduleDefinition(
    name=SCHEDULE_NAME,
    job=rebuild_job,
    cron_schedule=CRON,
    execution_timezone=os.environ.get("BUDGET_REBUILD_TIMEZONE", "UTC"),
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every day at 03:00, as the cron line and the systemd timer in deploy/.",
)

defs = dg.Definitions(
    assets=[rebuild_warehouse, warehouse_exports],
    jobs=[rebuild_job],
    schedules=[daily_rebuild],
    resources={"warehouse": BudgetWarehouse.from_env()},
)
