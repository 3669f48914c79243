"""The Dagster definitions (orchestration/definitions.py): graph, schedule, a real rebuild.

Loadable, the right assets, lineage and schedule, and real materialisations that rebuild into a
temporary warehouse through loaders.rebuild (one dbt build, tens of seconds).

Needs the `orchestration` extra: run by `make test-orchestration` in .venv-orchestration (the
main venv does not collect this folder: see addopts in pyproject.toml).
"""

from __future__ import annotations

import fcntl
import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from conftest import DOCUMENTS, SAMPLES

from orchestration import definitions
from orchestration.definitions import BudgetWarehouse, defs

MARTS = {
    "dim_department",
    "dim_document",
    "dim_economic_classification",
    "dim_function_classification",
    "fct_expenditure_by_economic",
    "fct_expenditure_by_function",
    "fct_form_values",
    "fct_projects",
    "fct_revenue_by_source",
    "fct_three_public_costs",
    "fct_dq_findings",
    "mart_budget_overview",
}


def _keys(keys) -> set[str]:
    return {key.to_user_string() for key in keys}


def test_definitions_are_loadable():
    dg.Definitions.validate_loadable(defs)


def test_job_materialises_landing_every_dbt_model_and_the_exports():
    job = defs.resolve_job_def(definitions.JOB_NAME)
    keys = _keys(job.asset_layer.asset_graph.get_all_asset_keys())
    assert MARTS <= keys
    assert {"landed/documents", "stg_landed__documents", "warehouse_exports"} <= keys
    assert "departments" in keys  # a seed
    models = {
        node["name"]
        for node in definitions.MANIFEST["nodes"].values()
        if node["resource_type"] in ("model", "seed")
    }
    assert models <= keys


def test_lineage_runs_from_the_landed_data_through_dbt_to_the_exports():
    graph = defs.resolve_asset_graph()
    upstream = _keys(graph.get_ancestor_asset_keys(dg.AssetKey("fct_expenditure_by_function")))
    assert {"landed/function_rows", "stg_landed__function_rows"} <= upstream
    assert any(key.startswith("int_") for key in upstream)
    stg = graph.get(dg.AssetKey("stg_landed__documents"))
    assert _keys(stg.parent_keys) == {"landed/documents"}
    exports = graph.get(dg.AssetKey("warehouse_exports"))
    assert MARTS <= _keys(exports.parent_keys)


def test_all_dbt_models_and_landed_data_are_one_step_built_together():
    # the rebuild is one unit: build beside the live file, test, swap (no subsetting)
    rebuild = defs.resolve_assets_def(dg.AssetKey("fct_expenditure_by_function"))
    assert rebuild.node_def.name == "rebuild_warehouse"
    assert not rebuild.can_subset
    assert dg.AssetKey(["landed", "documents"]) in rebuild.keys
    assert MARTS <= _keys(rebuild.keys)


def test_daily_schedule_at_three():
    schedule = defs.resolve_schedule_def(definitions.SCHEDULE_NAME)
    assert schedule.cron_schedule == "0 3 * * *"
    assert schedule.job_name == definitions.JOB_NAME
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING


@pytest.fixture(scope="module")
def paths(tmp_path_factory) -> BudgetWarehouse:
    tmp = tmp_path_factory.mktemp("dagster")
    (tmp / "docs").mkdir()
    for key in ("anyang", "changzhi"):
        shutil.copy(DOCUMENTS / SAMPLES[key], tmp / "docs")
    return BudgetWarehouse(
        docs_dir=str(tmp / "docs"),
        warehouse_path=str(tmp / "live" / "budget.duckdb"),
        landed_path=str(tmp / "landed"),
        exports_dir=str(tmp / "exports"),
    )


def _materialise(warehouse: BudgetWarehouse) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [definitions.rebuild_warehouse, definitions.warehouse_exports],
        resources={"warehouse": warehouse},
        raise_on_error=False,
    )


def test_materialising_rebuilds_swaps_and_exports(paths):
    result = _materialise(paths)
    assert result.success
    materialised = {
        event.asset_key.to_user_string(): event.materialization.metadata
        for event in result.get_asset_materialization_events()
    }
    assert MARTS | {"landed/documents", "warehouse_exports"} <= set(materialised)
    live = Path(paths.warehouse_path)
    with duckdb.connect(str(live), read_only=True) as con:
        facts = con.execute("select count(*) from fct_expenditure_by_function").fetchone()[0]
    assert facts > 0
    assert materialised["fct_expenditure_by_function"]["dagster/row_count"].value == facts
    log = [json.loads(line) for line in Path(f"{live}.runs.jsonl").read_text().splitlines()]
    assert [entry["outcome"] for entry in log] == ["succeeded"]
    assert log[0]["documents"]["added"] == 2
    assert (Path(paths.exports_dir) / "budget_v1_4.duckdb").is_file()
    assert (Path(paths.exports_dir) / "parquet" / "fct_expenditure_by_function.parquet").is_file()
    assert not list(live.parent.glob(".budget.duckdb.building-*"))


def test_nothing_changed_materialises_nothing(paths):
    live = Path(paths.warehouse_path)
    before = live.stat().st_ino
    result = _materialise(paths)
    assert result.success
    assert result.get_asset_materialization_events() == []
    assert live.stat().st_ino == before
    log = [json.loads(line) for line in Path(f"{live}.runs.jsonl").read_text().splitlines()]
    assert log[-1]["outcome"] == "succeeded" and "no new" in log[-1]["reason"]


def test_a_held_lock_fails_the_step_and_keeps_the_warehouse(paths):
    live = Path(paths.warehouse_path)
    before = live.stat().st_ino
    with open(f"{live}.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = _materialise(paths)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "another rebuild holds" in str(failure.event_specific_data.error)
    assert live.stat().st_ino == before


def test_a_failed_build_records_the_landing_fails_and_keeps_the_warehouse(paths):
    live = Path(paths.warehouse_path)
    before = live.stat().st_ino
    # a corrected copy of Anyang's budget beside the original: two documents of one department,
    # year and kind break dim_document's grain (the unique constraint of the enforced contract)
    text = (DOCUMENTS / SAMPLES["anyang"]).read_text(encoding="utf-8")
    corrected = text.replace("\t17\t\t17\n", "\t18\t\t18\n")
    assert corrected != text
    (Path(paths.docs_dir) / "anyang_corrected.txt").write_text(corrected, encoding="utf-8")
    result = _materialise(paths)
    assert not result.success
    materialised = _keys(e.asset_key for e in result.get_asset_materialization_events())
    assert "landed/documents" in materialised
    assert not materialised & (MARTS | {"warehouse_exports"})
    assert live.stat().st_ino == before
    log = [json.loads(line) for line in Path(f"{live}.runs.jsonl").read_text().splitlines()]
    assert log[-1]["outcome"] == "failed" and log[-1]["documents"]["added"] == 1
    # dim_document's unique constraint (the enforced mart contract) names the duplicate key
    reason = log[-1]["reason"].lower()
    assert "error dim_document" in reason and "unique constraint" in reason
    assert all(value in reason for value in ("anyang_housing_fund", "2024", "budget"))


def test_a_missing_documents_folder_fails_without_touching_anything(tmp_path):
    warehouse = BudgetWarehouse(
        docs_dir=str(tmp_path / "not-mounted"),
        warehouse_path=str(tmp_path / "live" / "budget.duckdb"),
        landed_path=str(tmp_path / "landed"),
        exports_dir=str(tmp_path / "exports"),
    )
    result = _materialise(warehouse)
    assert not result.success
    assert result.get_asset_materialization_events() == []
    assert not (tmp_path / "live").exists() and not (tmp_path / "landed").exists()
