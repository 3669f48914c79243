"""Rebuilds with real processes: swaps, kills, failing tests, incremental builds, the watcher.

Readers during a swap, SIGKILL at a random point, a failing pipeline test, one new document,
incremental rebuilds against a full one, and the watch service.

Each of those tests builds real warehouses with dbt into a temporary folder (tens of seconds
each). The tests of re-parsing after a parser change only load (a second or two each).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from conftest import DOCUMENTS, SAMPLES

from loaders import document, landing, settings, version
from loaders.landing import load, read_manifest
from loaders.rebuild import document_counts

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT_SQL = """
select document_id, department_name, expenditure_total, dq_warnings, dq_errors
from mart_budget_overview order by document_id
"""
READER = """
import duckdb, json, sys, time, pathlib
live, out, stop = sys.argv[1:4]
with open(out, "w") as f:
    while not pathlib.Path(stop).exists():
        try:
            con = duckdb.connect(live, read_only=True)
            rows = con.execute('''SNAPSHOT_SQL''').fetchall()
            con.close()
            f.write(json.dumps([[str(v) for v in r] for r in rows]) + "\\n")
        except Exception as e:
            f.write(json.dumps({"error": repr(e)}) + "\\n")
        f.flush()
        time.sleep(0.01)
""".replace("SNAPSHOT_SQL", SNAPSHOT_SQL)


def _env(tmp: Path) -> dict[str, str]:
    return {
        **os.environ,
        "BUDGET_DOCS_DIR": str(tmp / "docs"),
        "BUDGET_WAREHOUSE_PATH": str(tmp / "live" / "budget.duckdb"),
        "BUDGET_LANDED_PATH": str(tmp / "landed"),
    }


def _rebuild(
    tmp: Path, args: tuple[str, ...] | list[str] = (), **kwargs
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "loaders", "rebuild", *args],
        env=_env(tmp), cwd=ROOT, capture_output=True, text=True, timeout=600, **kwargs,
    )  # fmt: skip


def _snapshot(tmp: Path) -> list[list[str]]:
    with duckdb.connect(str(tmp / "live" / "budget.duckdb"), read_only=True) as con:
        return [[str(v) for v in row] for row in con.execute(SNAPSHOT_SQL).fetchall()]


def _docs(tmp: Path, keys: list[str]) -> None:
    folder = tmp / "docs"
    folder.mkdir(exist_ok=True)
    for key in keys:
        shutil.copy(DOCUMENTS / SAMPLES[key], folder)


@pytest.fixture
def first_build(tmp_path):
    _docs(tmp_path, ["anyang", "changzhi"])
    run = _rebuild(tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    return tmp_path, _snapshot(tmp_path)


def test_reader_sees_old_or_new_never_a_mix(first_build):
    tmp, old = first_build
    _docs(tmp, ["jiyuan", "urumqi", "xiamen"])
    out, stop = tmp / "reads.jsonl", tmp / "stop"
    live = str(tmp / "live" / "budget.duckdb")
    reader = subprocess.Popen([sys.executable, "-c", READER, live, str(out), str(stop)])
    try:
        run = _rebuild(tmp)
        time.sleep(0.5)
    finally:
        stop.touch()
        reader.wait(timeout=30)
    assert run.returncode == 0, run.stdout + run.stderr
    new = _snapshot(tmp)
    assert len(new) == 5 and len(old) == 2
    reads = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(reads) > 20
    assert [r for r in reads if isinstance(r, dict)] == []  # no reader error
    assert all(r in (old, new) for r in reads)
    assert reads[0] == old and reads[-1] == new


def test_sigkill_at_a_random_point_leaves_the_live_warehouse(first_build):
    tmp, old = first_build
    _docs(tmp, ["xiamen"])
    process = subprocess.Popen(
        [sys.executable, "-m", "loaders", "rebuild"], env=_env(tmp), cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    time.sleep(random.uniform(0.5, 8.0))
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    log = (tmp / "live" / "budget.duckdb.runs.jsonl").read_text().splitlines()
    if json.loads(log[-1])["outcome"] == "succeeded" and len(log) == 2:
        # the kill came after the swap: the live file is the complete new warehouse
        assert len(_snapshot(tmp)) == 3
        return
    assert _snapshot(tmp) == old
    run = _rebuild(tmp)
    assert run.returncode == 0, run.stdout + run.stderr
    assert len(_snapshot(tmp)) == 3
    assert not list((tmp / "live").glob(".budget.duckdb.building*"))


def test_a_failing_pipeline_test_keeps_the_old_warehouse_live(first_build):
    tmp, old = first_build
    # a corrected copy of Anyang's budget is dropped beside the original: two different documents
    # of one department, year and kind break dim_document's grain (a unique constraint of the
    # enforced mart contract)
    original = (DOCUMENTS / SAMPLES["anyang"]).read_text(encoding="utf-8")
    text = original.replace("\t17\t\t17\n", "\t18\t\t18\n")  # line 343: 差旅费 17 -> 18
    (tmp / "docs" / "anyang_corrected.txt").write_text(text, encoding="utf-8")
    run = _rebuild(tmp)
    assert run.returncode == 1
    assert "the live warehouse was not replaced" in run.stdout
    # DuckDB words it differently for a full and an incremental build; both name the key
    failure = run.stdout[run.stdout.index("ERROR dim_document") :].lower()
    assert "unique constraint" in failure
    assert all(value in failure for value in ("anyang_housing_fund", "2024", "budget"))
    assert _snapshot(tmp) == old
    log_file = tmp / "live" / "budget.duckdb.runs.jsonl"
    log = [json.loads(line) for line in log_file.read_text().splitlines()]
    assert [entry["outcome"] for entry in log] == ["succeeded", "failed"]
    assert log[-1]["documents"]["added"] == 1
    # nothing new to land, but the live warehouse was not built from it: the build is retried
    again = _rebuild(tmp)
    assert again.returncode == 1 and "the live warehouse was not replaced" in again.stdout
    # the operator removes the outdated file: the next rebuild succeeds
    (tmp / "docs" / SAMPLES["anyang"]).unlink()
    fixed = _rebuild(tmp)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert len(_snapshot(tmp)) == 2


def test_an_empty_documents_folder_does_not_empty_the_warehouse(first_build):
    tmp, old = first_build
    for path in (tmp / "docs").iterdir():
        path.unlink()
    run = _rebuild(tmp)
    assert run.returncode == 1 and "missing or empty" in run.stdout
    assert _snapshot(tmp) == old


def test_adding_one_document_changes_only_its_rows(first_build):
    tmp, _ = first_build

    def facts() -> dict[str, list]:
        with duckdb.connect(str(tmp / "live" / "budget.duckdb"), read_only=True) as con:
            rows = con.execute("select * from fct_expenditure_by_function order by all").fetchall()
        by_doc: dict[str, list] = {}
        for row in rows:
            by_doc.setdefault(row[0], []).append(row)
        return by_doc

    before = facts()
    _docs(tmp, ["urumqi"])
    run = _rebuild(tmp)
    assert run.returncode == 0, run.stdout + run.stderr
    after = facts()
    assert set(after) - set(before) and len(set(after) - set(before)) == 1
    assert {doc: rows for doc, rows in after.items() if doc in before} == before
    log = json.loads((tmp / "live" / "budget.duckdb.runs.jsonl").read_text().splitlines()[-1])
    assert log["documents"] == {
        "added": 1, "changed": 0, "removed": 0, "unchanged": 2, "rejected": 0, "quarantined": 0,
    }  # fmt: skip
    assert log["mode"] == "incremental"


def _tables(database: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(database), read_only=True) as con:
        names = [
            row[0]
            for row in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'main' order by 1"
            ).fetchall()
        ]
        return {
            name: con.execute(f"select * from {name} order by all").fetchall() for name in names
        }


def test_incremental_rebuilds_give_the_full_build(first_build):
    tmp, _ = first_build
    live = tmp / "live" / "budget.duckdb"
    _docs(tmp, ["urumqi", "xiamen"])  # two new documents
    assert _rebuild(tmp).returncode == 0
    (tmp / "docs" / SAMPLES["changzhi"]).unlink()  # one removed
    removed = _rebuild(tmp)
    assert removed.returncode == 0, removed.stdout + removed.stderr
    modes = [json.loads(line)["mode"] for line in (tmp / "live" / "budget.duckdb.runs.jsonl")
             .read_text().splitlines()]  # fmt: skip
    assert modes == ["full", "incremental", "incremental"]
    incremental = _tables(live)
    full = _rebuild(tmp, args=["--force"])
    assert full.returncode == 0 and "(full build)" in full.stdout, full.stdout + full.stderr
    rebuilt = _tables(live)
    assert set(incremental) == set(rebuilt) and "int_dq_checks" in rebuilt
    for name, rows in rebuilt.items():
        assert incremental[name] == rows, name
    # the removed document left every table; the new ones are in
    documents = {row[0] for row in rebuilt["dim_document"]}
    assert len(documents) == 3
    assert {row[0] for row in rebuilt["int_dq_checks"]} == documents


def test_watch_rebuilds_when_a_document_arrives(first_build):
    tmp, _ = first_build
    log_file = tmp / "live" / "budget.duckdb.runs.jsonl"

    def runs() -> list[dict]:
        return [json.loads(line) for line in log_file.read_text().splitlines()]

    def wait_for(count: int) -> dict:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and len(runs()) < count:
            time.sleep(0.1)
        assert len(runs()) >= count, f"the watcher logged {len(runs())} of {count} runs"
        return runs()[count - 1]

    watcher = subprocess.Popen(
        [sys.executable, "-m", "loaders", "watch", "--interval", "0.2"],
        env=_env(tmp), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        assert wait_for(2)["mode"] == "skipped"  # its first look: nothing new
        _docs(tmp, ["urumqi"])
        run = wait_for(3)
        assert (run["outcome"], run["mode"], run["documents"]["added"]) == (
            "succeeded", "incremental", 1,
        )  # fmt: skip
        assert len(_snapshot(tmp)) == 3
    finally:
        os.killpg(watcher.pid, signal.SIGTERM)
        output, _ = watcher.communicate(timeout=120)
    assert watcher.returncode == 0, output
    assert "watch stopped" in output


def test_a_second_rebuild_waits_for_none_and_is_refused(first_build):
    tmp, _ = first_build
    lock = tmp / "live" / "budget.duckdb.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl,sys,time; f=open(sys.argv[1],'a+'); "
         "fcntl.flock(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(30)", str(lock)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "locked"
        run = _rebuild(tmp)
        assert run.returncode == 3 and "another rebuild holds" in run.stderr
    finally:
        holder.kill()
        holder.wait()
    # the lock dies with its holder: the next rebuild runs
    assert _rebuild(tmp).returncode == 0


# Re-parsing after a parser change: loads only (no dbt), in this process, with the parser's
# fingerprint replaced (and its version, so that the old and the new rows differ).


def _parser(monkeypatch, fingerprint: str, label: str) -> None:
    """Make this process's parser another one: its fingerprint, and rows that say which."""
    monkeypatch.setattr(version, "parser_fingerprint", lambda: fingerprint)
    monkeypatch.setattr(settings, "PARSER_VERSION", label)


def _landed_rows(out: Path) -> dict[str, list[str]]:
    """Every landed row of every dataset (all the parquet files of its folder), sorted."""
    return {
        name: sorted(map(repr, pq.read_table(out / name).to_pylist())) for name in landing.SCHEMAS
    }


def _parsers_of(out: Path) -> list[tuple[str, str, str]]:
    """The documents rows' (document_id, parser_version, parser_fingerprint), sorted."""
    table = pq.read_table(out / "documents")
    columns = ("document_id", "parser_version", "parser_fingerprint")
    return sorted(zip(*(table.column(c).to_pylist() for c in columns), strict=True))


def _fresh(tmp: Path, name: str, keys: list[str]) -> Path:
    """The given samples loaded at once into a new folder (by the parser in effect)."""
    docs = tmp / f"{name}_docs"
    docs.mkdir()
    for key in keys:
        shutil.copy(DOCUMENTS / SAMPLES[key], docs)
    load([docs], tmp / name, workers=1, gate=False)
    return tmp / name


def test_a_parser_change_reparses_landed_documents_and_replaces_their_rows(tmp_path, monkeypatch):
    _docs(tmp_path, ["anyang", "changzhi"])
    docs, out = tmp_path / "docs", tmp_path / "landed"
    old, new = "0" * 16, "1" * 16
    _parser(monkeypatch, old, "old")
    first = load([docs], out, workers=1, gate=False)
    ids = {row["source_file"]: row["document_id"] for row in first.loaded}
    anyang, changzhi = ids[SAMPLES["anyang"]], ids[SAMPLES["changzhi"]]
    old_parts = sorted(out.glob("*/part-*.parquet"))
    before = read_manifest(out)["documents"]
    fresh_old = _fresh(tmp_path, "fresh_old", ["anyang", "changzhi"])

    # the parser changes; only Anyang's file is given (no sync): Anyang is parsed again, its old
    # rows leave, its new rows land; Changzhi, not given, keeps the rows of the old parser
    _parser(monkeypatch, new, "new")
    report = load([docs / SAMPLES["anyang"]], out, workers=1, gate=False)
    assert [row["document_id"] for row in report.loaded] == [anyang]
    assert report.reparsed == [
        f"{SAMPLES['anyang']}: re-parsed: the parser changed since it was landed "
        f"(document {anyang})"
    ]
    assert (report.skipped, report.removed) == ([], [])
    assert document_counts(before, report) == {
        "added": 0, "changed": 1, "removed": 0, "unchanged": 0, "rejected": 0, "quarantined": 0,
    }  # fmt: skip
    manifest = read_manifest(out)["documents"]
    assert sorted(manifest) == sorted([anyang, changzhi])
    assert (manifest[anyang]["parser_fingerprint"], manifest[anyang]["parser_version"]) == (
        new, "new",
    )  # fmt: skip
    assert manifest[changzhi]["parser_fingerprint"] == old
    # each document's rows exactly once: the documents rows say which parser made them, and
    # every other dataset holds what a load of the two at once does (no copy left, none lost)
    assert _parsers_of(out) == sorted([(anyang, "new", new), (changzhi, "old", old)])
    rows, expected = _landed_rows(out), _landed_rows(fresh_old)
    for name in landing.SCHEMAS:
        if name != "documents":
            assert rows[name] == expected[name], name
    # the parts the old manifest pointed at are gone (Changzhi's rows were copied out of them)
    assert not [part for part in old_parts if part.exists()]
    assert not list(out.glob("*/.tmp-*"))
    assert {doc["batch"] for doc in manifest.values()}.isdisjoint(
        {doc["batch"] for doc in before.values()}
    )

    # the whole folder under the new parser: Changzhi is re-parsed, Anyang is unchanged
    report = load([docs], out, workers=1, gate=False, sync=True)
    assert [row["document_id"] for row in report.loaded] == [changzhi]
    assert report.skipped == [f"{SAMPLES['anyang']}: unchanged, already landed as {anyang}"]
    assert report.removed == []
    assert _parsers_of(out) == sorted([(anyang, "new", new), (changzhi, "new", new)])
    assert _landed_rows(out) == _landed_rows(_fresh(tmp_path, "fresh_new", ["anyang", "changzhi"]))
    assert {doc["parser_fingerprint"] for doc in read_manifest(out)["documents"].values()} == {new}


def test_an_unchanged_parser_skips_landed_documents(tmp_path):
    _docs(tmp_path, ["anyang", "changzhi"])
    docs, out = tmp_path / "docs", tmp_path / "landed"
    first = load([docs], out, workers=1, gate=False)
    assert len(first.loaded) == 2
    manifest = read_manifest(out)
    assert {
        (doc["parser_version"], doc["parser_fingerprint"]) for doc in manifest["documents"].values()
    } == {(settings.PARSER_VERSION, version.parser_fingerprint())}
    parts = {part: part.read_bytes() for part in out.glob("*/part-*.parquet")}
    second = load([docs], out, workers=1, gate=False, sync=True)
    assert (second.loaded, second.reparsed, second.removed) == ([], [], [])
    assert sorted(second.skipped) == sorted(
        f"{row['source_file']}: unchanged, already landed as {row['document_id']}"
        for row in first.loaded
    )
    assert document_counts(manifest["documents"], second) == {
        "added": 0, "changed": 0, "removed": 0, "unchanged": 2, "rejected": 0, "quarantined": 0,
    }  # fmt: skip
    assert {part: part.read_bytes() for part in out.glob("*/part-*.parquet")} == parts
    assert read_manifest(out) == manifest


def test_a_reparse_under_another_id_replaces_the_old_document(tmp_path, monkeypatch):
    # a new PDF reader can change a document's text, and so its id (a hash of the text)
    _docs(tmp_path, ["anyang", "changzhi"])
    docs, out = tmp_path / "docs", tmp_path / "landed"
    first = load([docs], out, workers=1, gate=False)
    old_ids = {row["source_file"]: row["document_id"] for row in first.loaded}
    before = read_manifest(out)["documents"]
    monkeypatch.setattr(version, "parser_fingerprint", lambda: "2" * 16)
    text_hash = document.content_hash
    monkeypatch.setattr(document, "content_hash", lambda text: text_hash("another reader " + text))
    report = load([docs / SAMPLES["anyang"]], out, workers=1, gate=False)  # no sync
    (new_id,) = [row["document_id"] for row in report.loaded]
    assert new_id != old_ids[SAMPLES["anyang"]]
    assert report.removed == [old_ids[SAMPLES["anyang"]]]
    assert len(report.reparsed) == 1
    assert document_counts(before, report) == {
        "added": 0, "changed": 1, "removed": 0, "unchanged": 0, "rejected": 0, "quarantined": 0,
    }  # fmt: skip
    assert sorted(read_manifest(out)["documents"]) == sorted([new_id, old_ids[SAMPLES["changzhi"]]])
    for name in landing.SCHEMAS:  # the old id left every dataset
        landed_ids = set(pq.read_table(out / name).column("document_id").to_pylist())
        assert old_ids[SAMPLES["anyang"]] not in landed_ids, name


def test_a_load_killed_before_its_manifest_leaves_the_old_rows(tmp_path, monkeypatch):
    _docs(tmp_path, ["anyang", "changzhi"])
    docs, out = tmp_path / "docs", tmp_path / "landed"
    load([docs], out, workers=1, gate=False)
    rows = _landed_rows(out)
    manifest = read_manifest(out)
    write_atomic = landing._write_atomic

    class Killed(BaseException):
        """The process dies here."""

    def die_at_the_manifest(path, write):
        if path.name == landing.MANIFEST:
            raise Killed
        write_atomic(path, write)

    monkeypatch.setattr(landing, "_write_atomic", die_at_the_manifest)
    monkeypatch.setattr(version, "parser_fingerprint", lambda: "3" * 16)
    with pytest.raises(Killed):
        load([docs / SAMPLES["anyang"]], out, workers=1, gate=False)
    assert read_manifest(out) == manifest
    # the parser is the old one again: the manifest's parts hold every row once, the rest are
    # orphans the next load removes
    monkeypatch.undo()
    again = load([docs], out, workers=1, gate=False)
    assert again.loaded == [] and len(again.skipped) == 2
    assert _landed_rows(out) == rows


def test_progress_shows_on_a_terminal_and_cron_sees_none(first_build):
    import pty
    import re

    tmp, _ = first_build
    _docs(tmp, ["jiyuan"])
    primary, replica = pty.openpty()  # stderr a terminal, as when a person runs `make build`
    try:
        run = subprocess.run(
            [sys.executable, "-m", "loaders", "rebuild"],
            env=_env(tmp), cwd=ROOT, stdout=subprocess.PIPE, stderr=replica, text=True,
            timeout=600,
        )  # fmt: skip
        os.close(replica)
        shown = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the terminal is closed and drained
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(primary)
    assert run.returncode == 0, run.stdout
    text = shown.decode()
    assert "parsed 1/1 documents" in text  # only the new document is parsed
    steps = [(int(a), int(b)) for a, b in re.findall(r"dbt (\d+)/(\d+)", text)]
    assert steps and steps[-1][0] == steps[-1][1] > 10  # every node of the (incremental) build
    assert [a for a, _ in steps] == sorted(a for a, _ in steps)
    assert "rebuild succeeded" in run.stdout and "\r" not in run.stdout
    # under cron (no terminal) the same command prints only its report
    quiet = _rebuild(tmp, ["--force"])
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    assert "dbt 1/" not in quiet.stderr and "parsed" not in quiet.stderr
    assert "\r" not in quiet.stderr + quiet.stdout
