"""I/O: read documents, parse them (in parallel), gate them, write Parquet and the manifest.

Layout of the output folder::

    <out>/<dataset>/part-<batch>.parquet   one file per dataset per load batch
    <out>/_manifest.json                   landed documents: id, file, hashes, batch
    <out>/_quarantine/<document_id>.json   documents the gate refused, with reasons
    <out>/_reports/<batch>.txt             the gate's readable report

A batch's parts are written to temporary names and renamed into place, so readers never see
half a batch; the manifest is replaced last.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from loaders.document import ParsedDocument, parse_document
from loaders.errors import InputError
from loaders.schema import SCHEMAS
from loaders.text import decode

MANIFEST = "_manifest.json"


@dataclass
class Rejected:
    """A file that did not load, and why (file and line in the message)."""

    source_file: str
    message: str


@dataclass
class LoadReport:
    """What one load did."""

    loaded: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    quarantined: dict[str, list[str]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    coverage: list[dict[str, Any]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    gate_report: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every file loaded or was already loaded."""
        return not self.rejected and not self.quarantined


def discover(paths: Iterable[Path]) -> list[Path]:
    """Document files under the given files/folders (hidden files skipped), sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(p for p in sorted(path.rglob("*")) if p.is_file() and not p.name.startswith("."))
        else:
            files.append(path)
    return files


def parse_file(path: Path) -> ParsedDocument | Rejected:
    """Read and parse one file; bad input becomes a :class:`Rejected` naming file and line."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return Rejected(str(path), f"{path}: unreadable file: {error.strerror}")
    try:
        decoded = decode(data, path.name)
        return parse_document(
            decoded.text, path.name, hashlib.sha256(data).hexdigest(), decoded.encoding
        )
    except InputError as error:
        return Rejected(str(path), str(error))
    except Exception as error:  # noqa: BLE001 - one broken file must not stop the batch
        return Rejected(str(path), f"{path.name}: parser failure ({type(error).__name__}: {error})")


def read_manifest(out: Path) -> dict[str, Any]:
    """The output folder's manifest (empty if nothing was landed yet)."""
    path = out / MANIFEST
    if not path.exists():
        return {"documents": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def _write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _table(dataset: str, rows: list[dict[str, Any]]) -> pa.Table:
    schema = SCHEMAS[dataset]
    columns = {name: [row.get(name) for row in rows] for name in schema.names}
    return pa.Table.from_pydict(columns, schema=schema)


def _frames(datasets: dict[str, list[dict[str, Any]]]) -> dict[str, pd.DataFrame]:
    frames = {}
    for name, rows in datasets.items():
        if name == "cells":
            continue  # printed text only: its schema is enforced by pyarrow on write
        frame = pd.DataFrame(rows, columns=SCHEMAS[name].names)
        if "amount" in frame:
            frame["amount"] = frame["amount"].astype(float)
        frames[name] = frame
    return frames


def load(
    paths: Iterable[Path],
    out: Path,
    *,
    workers: int | None = None,
    sync: bool = False,
    gate: bool = True,
    progress: Callable[[int, int, str], None] | None = None,
) -> LoadReport:
    """Load documents into ``out``: only new or changed content is parsed and written.

    Args:
        paths: files or folders of documents.
        out: the landed-data folder (dbt's source location).
        workers: parser processes (default: CPU count).
        sync: treat ``paths`` as the complete set: documents landed before whose file is gone
            (or whose content changed) leave the landed data.
        gate: run the great-expectations gate (quarantine failing documents).
        progress: called as ``progress(done, total, file)`` while parsing.

    Returns:
        A report of what was loaded, skipped, rejected, quarantined and removed.
    """
    out.mkdir(parents=True, exist_ok=True)
    report = LoadReport()
    manifest = read_manifest(out)
    landed: dict[str, Any] = manifest["documents"]
    files = discover(paths)
    by_hash = {doc["source_sha256"]: doc_id for doc_id, doc in landed.items()}
    todo: list[Path] = []
    current: set[str] = set()
    for path in files:
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        if digest in by_hash:
            current.add(by_hash[digest])
            report.skipped.append(f"{path.name}: unchanged, already landed as {by_hash[digest]}")
        else:
            todo.append(path)
    parsed: list[ParsedDocument] = []
    workers = workers or os.cpu_count() or 1
    results: Iterable[ParsedDocument | Rejected]
    if workers > 1 and len(todo) > 8:
        pool = ProcessPoolExecutor(max_workers=workers)
        results = pool.map(parse_file, todo, chunksize=16)
    else:
        pool = None
        results = map(parse_file, todo)
    seen: dict[str, str] = {}
    for done, (path, result) in enumerate(zip(todo, results), start=1):
        if progress:
            progress(done, len(todo), path.name)
        if isinstance(result, Rejected):
            report.rejected.append(result)
            continue
        doc_id = result.document_id
        if doc_id in seen or doc_id in landed:
            first = seen.get(doc_id) or landed[doc_id]["source_file"]
            current.add(doc_id)
            report.skipped.append(f"{path.name}: same content as {first} (document {doc_id}), loaded once")
            continue
        seen[doc_id] = path.name
        current.add(doc_id)
        parsed.append(result)
        report.messages.extend(result.messages)
    if pool:
        pool.shutdown()
    stale = sorted(set(landed) - current) if sync else []
    if stale:
        _remove_documents(out, landed, stale)
        report.removed = stale
    if parsed:
        datasets = {name: [] for name in SCHEMAS}
        for doc in parsed:
            for name, rows in doc.datasets.items():
                datasets[name].extend(rows)
        if gate:
            result = run_gate_safely(datasets)
            report.gate_report = result.report
            bad = set(result.failures)
            for doc in [d for d in parsed if d.document_id in bad]:
                report.quarantined[doc.source_file] = result.failures[doc.document_id]
                _quarantine(out, doc, result.failures[doc.document_id])
            parsed = [d for d in parsed if d.document_id not in bad]
            datasets = {
                name: [r for r in rows if r.get("document_id") not in bad] for name, rows in datasets.items()
            }
        batch = hashlib.sha256("|".join(sorted(d.document_id for d in parsed)).encode()).hexdigest()[:12]
        if parsed:
            for name, rows in datasets.items():
                table = _table(name, rows)
                _write_atomic(out / name / f"part-{batch}.parquet", lambda p, t=table: pq.write_table(t, p))
            if report.gate_report:
                reports = out / "_reports"
                reports.mkdir(exist_ok=True)
                (reports / f"{batch}.txt").write_text("\n".join(report.gate_report) + "\n", encoding="utf-8")
        now = datetime.now(UTC).isoformat(timespec="seconds")
        for doc in parsed:
            row = doc.document
            landed[doc.document_id] = {
                "source_file": doc.source_file,
                "source_sha256": row["source_sha256"],
                "content_sha256": row["content_sha256"],
                "department_name": row["department_name"],
                "fiscal_year": row["fiscal_year"],
                "disclosure_kind": row["disclosure_kind"],
                "batch": batch,
                "loaded_at": now,
            }
            report.loaded.append(row)
            report.coverage.extend(doc.datasets["coverage"])
    _ensure_all_datasets(out)
    manifest["documents"] = landed
    _write_atomic(
        out / MANIFEST,
        lambda p: p.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8"),
    )
    return report


def run_gate_safely(datasets: dict[str, list[dict[str, Any]]]):
    """Run the gate on a batch (imported lazily: great-expectations takes seconds to import)."""
    from loaders.validate import run_gate

    return run_gate(_frames(datasets))


def _quarantine(out: Path, doc: ParsedDocument, reasons: list[str]) -> None:
    folder = out / "_quarantine"
    folder.mkdir(exist_ok=True)
    (folder / f"{doc.document_id}.json").write_text(
        json.dumps({"source_file": doc.source_file, "reasons": reasons}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )


def _ensure_all_datasets(out: Path) -> None:
    """Every dataset folder holds at least one (possibly empty) part, so dbt's globs resolve."""
    for name in SCHEMAS:
        folder = out / name
        if not any(folder.glob("part-*.parquet")):
            empty = _table(name, [])
            _write_atomic(folder / "part-empty.parquet", lambda p, t=empty: pq.write_table(t, p))


def _remove_documents(out: Path, landed: dict[str, Any], stale: list[str]) -> None:
    """Rewrite the parts that hold stale documents without their rows."""
    batches = {landed[d]["batch"] for d in stale}
    drop = set(stale)
    for name in SCHEMAS:
        for batch in batches:
            path = out / name / f"part-{batch}.parquet"
            if not path.exists():
                continue
            table = pq.read_table(path)
            keep = [d not in drop for d in table.column("document_id").to_pylist()]
            if all(keep):
                continue
            if not any(keep):
                path.unlink()
                continue
            kept = table.filter(pa.array(keep))
            _write_atomic(path, lambda p, t=kept: pq.write_table(t, p))
    for doc_id in stale:
        del landed[doc_id]
