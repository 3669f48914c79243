"""I/O: read documents, parse them (in parallel), gate them, write Parquet and the manifest.

Layout of the output folder::

    <out>/<dataset>/part-<batch>-<chunk>.parquet   a file per dataset per chunk of a load batch
                                                   (merged into one when there are many)
    <out>/_manifest.json                   landed documents: id, file, hashes, parser, batch
    <out>/_quarantine/<document_id>.json   documents the gate refused, with reasons
    <out>/_reports/<batch>.txt             the gate's readable report

A batch's parts are written to temporary names and renamed into place, so readers never see
half a batch; the manifest is replaced last. A part is never rewritten in place: the rows that
stay when documents leave are copied to a part of a new batch, and the old part is deleted once
the manifest no longer points at it (a killed load leaves orphans the next load removes).

A file is parsed when its bytes are new, or when the parser that landed it was not this one
(:func:`loaders.version.parser_fingerprint`, recorded per document in the manifest): the
re-parsed document's old rows leave the landed data and its new rows land in their place.
"""

from __future__ import annotations

import gc
import hashlib
import importlib
import json
import os
import shutil
import signal
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from loaders import version
from loaders.amounts import is_amount
from loaders.document import ParsedDocument, parse_bytes
from loaders.errors import InputError
from loaders.schema import SCHEMAS

MANIFEST = "_manifest.json"
# Load batches beyond which a load merges every dataset's parts into one. Each load adds a part
# per dataset (a first load of N documents, N / chunk size of them), and every read of a staging
# view binds and scans them all: on 1,000 documents, 62 parts made int_dq_checks take 0.8 s
# instead of 0.4 s. A merge of 1,000 documents' parts takes about 0.7 s, once every 8 loads; a
# first load is never merged (its parts are what a large load writes in parallel).
MAX_BATCHES = 8
# The merge's DuckDB memory cap: uncapped, it raised a load's peak memory to about 800 MB.
COMPACT_SETTINGS = {"memory_limit": "128MB"}


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
    # loaded again because the parser changed since they landed (they are in ``loaded`` too)
    reparsed: list[str] = field(default_factory=list)
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

    def below_full_coverage(self) -> list[str]:
        """The loaded documents not every printed number of which is typed, one line each."""
        totals: dict[str, list[int]] = {}
        reasons: dict[str, set[str]] = {}
        for row in self.coverage:
            total = totals.setdefault(row["document_id"], [0, 0])
            total[0] += row["numeric_cells_printed"]
            total[1] += row["numeric_cells_landed"]
            if row.get("reason") and row["numeric_cells_printed"] > row["numeric_cells_landed"]:
                reasons.setdefault(row["document_id"], set()).add(row["reason"].split(" (")[0])
        lines = []
        for doc in self.loaded:
            printed, typed = totals.get(doc["document_id"], [0, 0])
            if typed < printed:
                why = "; ".join(sorted(reasons.get(doc["document_id"], set())))
                lines.append(
                    f"{doc['source_file']}: {typed} of {printed} numeric cells typed "
                    f"({100 * typed // printed}%), {printed - typed} kept in cells only: {why}"
                )
        return lines


def discover(paths: Iterable[Path]) -> list[Path]:
    """Document files under the given files/folders (hidden files skipped), sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*")) if p.is_file() and not p.name.startswith(".")
            )
        else:
            files.append(path)
    return files


# Seconds one document may take to parse (BUDGET_PARSE_TIMEOUT): a document past it is
# rejected and the batch goes on. The largest real PDF here (71 pages) parses in about 0.6 s.
PARSE_TIMEOUT = float(os.environ.get("BUDGET_PARSE_TIMEOUT", "120"))


class ParseTimeout(Exception):
    """A document took longer than the parse time bound."""


def _on_alarm(signum: int, frame: object) -> None:
    raise ParseTimeout


@contextmanager
def _time_bound(seconds: float) -> Iterator[None]:
    """Raise :class:`ParseTimeout` in the block after ``seconds`` (main thread only)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def parse_file(path: Path, timeout: float | None = None) -> ParsedDocument | Rejected:
    """Read and parse one file; bad input becomes a :class:`Rejected` naming file and line.

    The parse runs under a time bound (``timeout`` seconds, default ``PARSE_TIMEOUT``), so one
    document can never keep a worker busy for long.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        return Rejected(str(path), f"{path}: unreadable file: {error.strerror}")
    limit = PARSE_TIMEOUT if timeout is None else timeout
    try:
        with _time_bound(limit):
            return parse_bytes(data, path.name)
    except ParseTimeout:
        return Rejected(
            str(path),
            f"{path.name}: parse took longer than {limit:g} s (BUDGET_PARSE_TIMEOUT): rejected",
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


def _table(dataset: str, rows: list[Any]) -> pa.Table:
    """Arrow table of a dataset's rows (dicts, or tuples in schema order for ``cells``)."""
    schema = SCHEMAS[dataset]
    if not rows or not isinstance(rows[0], tuple):
        return pa.Table.from_pylist(rows, schema=schema)
    n = len(rows)
    arrays = [
        # a column no row fills (the boxes of text input) is built without reading it
        pa.nulls(n, field.type)
        if field.nullable and column.count(None) == n
        else pa.array(column, type=field.type)
        for field, column in zip(schema, zip(*rows, strict=True), strict=True)
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


@dataclass
class ChunkResult:
    """What a worker landed from one chunk of files (rows are already in staging parts)."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    coverage: list[dict[str, Any]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)  # file, doc id, first file


def land_chunk(paths: list[Path], staging: Path, chunk: int) -> ChunkResult:
    """Parse a chunk of files and write their rows as staging parts (one per dataset).

    Runs in a worker process: only a small summary travels back to the parent.
    """
    result = ChunkResult()
    datasets: dict[str, list[dict[str, Any]]] = {name: [] for name in SCHEMAS}
    seen: dict[str, str] = {}
    with _no_cycle_collection():
        _parse_chunk(paths, datasets, seen, result)
        for name in list(datasets):
            folder = staging / name
            folder.mkdir(parents=True, exist_ok=True)
            # the rows are freed as each part is written, before the collector resumes: it
            # would otherwise first walk all of them (some 40 ms a chunk)
            pq.write_table(_table(name, datasets.pop(name)), folder / f"part-{chunk:05d}.parquet")
    return result


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a chunk is parsed.

    Parsing builds millions of small objects and no reference cycles (a chunk of 50 documents
    leaves none to collect), so the collector's passes over the growing heap are pure cost:
    about 0.7 ms a document, a tenth of loading one. A full collection after the chunk would
    cost as much again for nothing: the collector simply resumes.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _parse_chunk(
    paths: list[Path],
    datasets: dict[str, list[Any]],
    seen: dict[str, str],
    result: ChunkResult,
) -> None:
    """Parse each file; collect its rows by dataset (a content seen before is a duplicate)."""
    for path in paths:
        parsed = parse_file(path)
        if isinstance(parsed, Rejected):
            result.rejected.append(parsed)
            continue
        if parsed.document_id in seen:
            result.duplicates.append((path.name, parsed.document_id, seen[parsed.document_id]))
            continue
        seen[parsed.document_id] = path.name
        for name, rows in parsed.datasets.items():
            datasets[name].extend(rows)
        result.documents.append(parsed.document)
        result.coverage.extend(parsed.datasets["coverage"])
        result.messages.extend(parsed.messages)


def _land_chunk_args(args: tuple[list[Path], Path, int]) -> ChunkResult:
    return land_chunk(*args)


def load(
    paths: Iterable[Path],
    out: Path,
    *,
    workers: int | None = None,
    sync: bool = False,
    gate: bool = True,
    chunk_size: int = 50,
    progress: Callable[[int, int, str], None] | None = None,
) -> LoadReport:
    """Load documents into ``out``: only new or changed content is parsed and written.

    Files are parsed in chunks by worker processes, which write their rows to a staging folder;
    the gate then validates the batch, refused documents are dropped from the staged parts, and
    the parts are renamed into place. Memory stays bounded by the chunk size.

    A file already landed is skipped when the parser that landed it is this one (same
    :func:`loaders.version.parser_fingerprint` in its manifest entry); otherwise it is parsed
    again like a changed file, and its document's old rows are replaced by the new ones (listed
    in ``reparsed``). If the new parse gives the document another id (the PDF reader changed
    its text), the old id leaves the landed data (``removed``) even without ``sync``.

    Args:
        paths: files or folders of documents.
        out: the landed-data folder (dbt's source location).
        workers: parser processes (default: CPU count).
        sync: treat ``paths`` as the complete set: documents landed before whose file is gone
            (or whose content changed, or whose new parse was rejected or quarantined) leave
            the landed data.
        gate: run the great-expectations gate (quarantine failing documents).
        chunk_size: files per worker task.
        progress: called as ``progress(done, total, file)`` after each chunk.

    Returns:
        A report of what was loaded, re-parsed, skipped, rejected, quarantined and removed.
    """
    out.mkdir(parents=True, exist_ok=True)
    report = LoadReport()
    manifest = read_manifest(out)
    landed: dict[str, Any] = manifest["documents"]
    _clean_orphans(out, landed)
    fingerprint = version.parser_fingerprint()
    # landed by another parser (or before fingerprints were recorded): parsed again
    outdated = {d for d, doc in landed.items() if doc.get("parser_fingerprint") != fingerprint}
    used_batches = {doc["batch"] for doc in landed.values()}
    by_hash = {doc["source_sha256"]: doc_id for doc_id, doc in landed.items()}
    todo: list[Path] = []
    current: set[str] = set()
    for path in discover(paths):
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as error:
            report.rejected.append(
                Rejected(str(path), f"{path}: unreadable file: {error.strerror}")
            )
            continue
        if digest in by_hash and by_hash[digest] not in outdated:
            current.add(by_hash[digest])
            report.skipped.append(f"{path.name}: unchanged, already landed as {by_hash[digest]}")
        else:
            todo.append(path)
    if gate and todo:
        # great-expectations takes seconds to import: do it while the workers parse
        threading.Thread(
            target=importlib.import_module, args=("loaders.validate",), daemon=True
        ).start()
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    obsolete: list[Path] = []  # parts the new manifest no longer points at
    try:
        chunks = [todo[i : i + chunk_size] for i in range(0, len(todo), chunk_size)]
        tasks = [(chunk, staging, n) for n, chunk in enumerate(chunks)]
        workers = min(workers or os.cpu_count() or 1, max(1, len(chunks)))
        if workers > 1:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                results = list(_with_progress(pool.map(_land_chunk_args, tasks), chunks, progress))
        else:
            results = list(_with_progress(map(_land_chunk_args, tasks), chunks, progress))
        documents: list[dict[str, Any]] = []
        # refused by the gate, or another format of a disclosure kept: dropped from every part
        drop: set[str] = set()
        replaced: set[str] = set()  # landed before, superseded by the PDF of the disclosure
        drop_in_chunk: dict[int, set[str]] = {}  # repeats of content landed before or earlier
        first_file: dict[str, str] = {}
        for chunk_no, result in enumerate(results):
            report.rejected.extend(result.rejected)
            report.messages.extend(result.messages)
            for name, doc_id, first in result.duplicates:
                current.add(doc_id)
                report.skipped.append(
                    f"{name}: same content as {first} (document {doc_id}), loaded once"
                )
            for doc in result.documents:
                doc_id = doc["document_id"]
                current.add(doc_id)
                # a document landed by this parser is a repeat; one landed by another is redone
                if doc_id in first_file or (doc_id in landed and doc_id not in outdated):
                    first = first_file.get(doc_id) or landed[doc_id]["source_file"]
                    report.skipped.append(
                        f"{doc['source_file']}: same content as {first} "
                        f"(document {doc_id}), loaded once"
                    )
                    drop_in_chunk.setdefault(chunk_no, set()).add(doc_id)
                    continue
                first_file[doc_id] = doc["source_file"]
                documents.append(doc)
            report.coverage.extend(result.coverage)
        same = same_disclosures(staging, out, documents, landed, drop_in_chunk)
        for doc_id, message in same.items():
            report.skipped.append(message)
            if doc_id in landed:  # landed before, now superseded by the PDF of it
                replaced.add(doc_id)
            else:
                drop.add(doc_id)
        documents = [d for d in documents if d["document_id"] not in same]
        if gate and documents:
            gate_result = run_gate_safely(staging, exclude=drop_in_chunk)
            report.gate_report = gate_result.report
            for doc in documents:
                reasons = gate_result.failures.get(doc["document_id"])
                if reasons:
                    report.quarantined[doc["source_file"]] = reasons
                    _quarantine(out, doc, reasons)
                    drop.add(doc["document_id"])
            documents = [d for d in documents if d["document_id"] not in drop]
            current -= drop  # a re-parse refused by the gate no longer stands for its document
        loaded_ids = {d["document_id"] for d in documents}
        # re-parsed: the old rows of a document landed again leave, and so does the old id of a
        # re-parsed file whose new parse has another one
        relanded = loaded_ids & set(landed)
        superseded = {
            by_hash[d["source_sha256"]] for d in documents if d["source_sha256"] in by_hash
        } - loaded_ids
        report.reparsed = [
            f"{d['source_file']}: re-parsed: the parser changed since it was landed "
            f"(document {d['document_id']})"
            for d in documents
            if d["document_id"] in relanded or d["source_sha256"] in by_hash
        ]
        stale = set(landed) - current if sync else set()
        report.removed = sorted(stale | superseded | replaced)
        obsolete = _retire(out, landed, [*report.removed, *sorted(relanded)])
        batch_key = "|".join([fingerprint, *sorted(loaded_ids)])
        batch = hashlib.sha256(batch_key.encode()).hexdigest()[:12]
        while batch in used_batches:  # parts of a batch still listed are deleted only later
            batch = hashlib.sha256(batch.encode()).hexdigest()[:12]
        _publish(staging, out, batch, drop, drop_in_chunk)
        if documents and report.gate_report:
            reports = out / "_reports"
            reports.mkdir(exist_ok=True)
            (reports / f"{batch}.txt").write_text(
                "\n".join(report.gate_report) + "\n", encoding="utf-8"
            )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    report.coverage = [c for c in report.coverage if c["document_id"] in loaded_ids]
    for row in documents:
        landed[row["document_id"]] = {
            "source_file": row["source_file"],
            "source_sha256": row["source_sha256"],
            "content_sha256": row["content_sha256"],
            "department_name": row["department_name"],
            "fiscal_year": row["fiscal_year"],
            "disclosure_kind": row["disclosure_kind"],
            "disclosure_level": row["disclosure_level"],
            "disclosure_part": row["disclosure_part"],
            "source_format": row["source_format"],
            "parser_version": row["parser_version"],
            "parser_fingerprint": row["parser_fingerprint"],
            "batch": batch,
            "loaded_at": now,
        }
        report.loaded.append(row)
    _ensure_all_datasets(out, landed)
    obsolete += _compact(out, landed)
    manifest["documents"] = landed
    _write_atomic(
        out / MANIFEST,
        lambda p: p.write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8"
        ),
    )
    for part in obsolete:  # the manifest no longer points at them (orphans if we die here)
        part.unlink(missing_ok=True)
    return report


# the typed datasets two formats of one disclosure are compared on, and the columns that say
# which number a row is (names are left out: converters space them differently)
SAME_NUMBERS = {
    "function_rows": ("budget_scope", "function_code", "row_role", "measure", "amount"),
    "economic_rows": ("table_kind", "dept_economic_code", "row_role", "measure", "amount"),
    "revenue_rows": ("function_code", "row_role", "measure", "amount"),
    "summary_rows": ("table_kind", "side", "row_role", "measure", "amount"),
    "three_public_rows": ("measure", "amount"),
    "project_rows": ("measure", "amount"),
    "operating_cost_rows": ("measure", "amount"),
}
# of the printed numbers of a disclosure's text, at least this share must be printed in the
# other format too where the text types none (one cell per line)
SAME_CELLS_SHARE = 0.9


def _disclosure_key(doc: dict[str, Any]) -> tuple[Any, ...] | None:
    keys = ("department_name", "fiscal_year", "disclosure_kind", "disclosure_level")
    if any(doc.get(k) is None for k in keys) or "disclosure_part" not in doc:
        return None
    return (*(doc[k] for k in keys), doc["disclosure_part"])


def _numbers(
    parts: Callable[[str], list[Path]],
    doc_ids: set[str],
    exclude: dict[int, set[str]] | None = None,
) -> tuple[dict[str, Counter], dict[str, set[str]]]:
    """Typed numbers (:data:`SAME_NUMBERS`) and printed numeric cells of some documents.

    ``parts(dataset)``: the Parquet parts to read; ``exclude``: by staged chunk, the documents
    whose rows in it are repeats of a document landed before.
    """
    facts: dict[str, Counter] = {d: Counter() for d in doc_ids}
    cells: dict[str, set[str]] = {d: set() for d in doc_ids}
    if not doc_ids:
        return facts, cells
    wanted = pa.array(sorted(doc_ids))
    for name in [*SAME_NUMBERS, "cells"]:
        for part in parts(name):
            table = pq.read_table(part)
            table = table.filter(pc.is_in(table["document_id"], value_set=wanted))
            if exclude and part.stem.count("-") == 1:  # a staged part (part-<chunk>)
                unwanted = exclude.get(int(part.stem.split("-")[1]), set())
                keep = [d not in unwanted for d in table["document_id"].to_pylist()]
                table = table.filter(pa.array(keep, type=pa.bool_()))
            if name == "cells":
                ids, values = table["document_id"].to_pylist(), table["cell_text"].to_pylist()
                for doc_id, value in zip(ids, values, strict=True):
                    if is_amount(value) and not value.strip().isdigit():
                        cells[doc_id].add(value.strip())
                continue
            columns = [table[c].to_pylist() for c in ("document_id", *SAME_NUMBERS[name])]
            for doc_id, *key in zip(*columns, strict=True):
                facts[doc_id][(name, *map(str, key))] += 1
    return facts, cells


def same_disclosures(
    staging: Path,
    out: Path,
    documents: list[dict[str, Any]],
    landed: dict[str, Any],
    exclude: dict[int, set[str]],
) -> dict[str, str]:
    """The documents that are another format of a disclosure this load keeps.

    Two documents of one department, year, kind, level and part are one disclosure in two
    formats (a PDF and a converter's text of it, or two texts) where every number one of them
    types the other types too (and, where it types none, nearly all the numbers it prints are
    printed in the other): the PDF is kept (else the one that types more). Two documents whose
    numbers differ are two different disclosures: both land, and the build's one-disclosure
    test fails on them.

    Returns:
        document id of each one not kept → what the load reports of it.
    """
    by_key: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    # a landed document parsed again (same id, or the same file under another id) is the new
    # parse, not another format of it
    new_ids = {d["document_id"] for d in documents}
    new_files = {d["source_sha256"] for d in documents}
    still = {
        k: v
        for k, v in landed.items()
        if k not in new_ids and v.get("source_sha256") not in new_files
    }
    for doc in [*documents, *({"document_id": k, **v} for k, v in still.items())]:
        key = _disclosure_key(doc)
        if key is not None:
            by_key.setdefault(key, []).append(doc)
    groups = [docs for docs in by_key.values() if len(docs) > 1]
    if not groups:
        return {}
    new_ids = {d["document_id"] for docs in groups for d in docs if d["document_id"] not in still}
    old_ids = {d["document_id"] for docs in groups for d in docs if d["document_id"] in still}
    facts, cells = _numbers(
        lambda name: sorted((staging / name).glob("part-*.parquet")), new_ids, exclude
    )
    old_facts, old_cells = _numbers(lambda name: _live_parts(out, name, still), old_ids)
    facts.update(old_facts)
    cells.update(old_cells)
    out_of: dict[str, str] = {}
    for docs in groups:
        ranked = sorted(
            docs,
            key=lambda d: (d.get("source_format") != "pdf", -sum(facts[d["document_id"]].values())),
        )
        kept = ranked[0]
        for other in ranked[1:]:
            mine, theirs = facts[other["document_id"]], facts[kept["document_id"]]
            if mine - theirs:
                continue  # a number the kept one does not print: another disclosure
            if not mine:
                printed = cells[other["document_id"]]
                shared = len(printed & cells[kept["document_id"]])
                if not printed or shared < SAME_CELLS_SHARE * len(printed):
                    continue
            out_of[other["document_id"]] = (
                f"{other['source_file']}: the same disclosure as {kept['source_file']} "
                f"({other.get('source_format')} beside {kept.get('source_format')}: every "
                f"number it types, {kept['source_file']} types too); loaded once, as "
                f"{kept['source_file']}"
            )
    return out_of


def _with_progress(results, chunks, progress):
    done = 0
    for chunk, result in zip(chunks, results, strict=True):
        done += len(chunk)
        if progress:
            progress(done, sum(len(c) for c in chunks), chunk[-1].name)
        yield result


def _publish(
    staging: Path, out: Path, batch: str, drop: set[str], drop_in_chunk: dict[int, set[str]]
) -> None:
    """Move staged parts into place as ``part-<batch>-<chunk>``; drop refused/repeated rows."""
    for name in SCHEMAS:
        folder = staging / name
        published = False
        for part in sorted(folder.glob("part-*.parquet")) if folder.exists() else []:
            chunk = int(part.stem.split("-")[1])
            unwanted = drop | drop_in_chunk.get(chunk, set())
            if unwanted:
                table = pq.read_table(part)
                keep = [d not in unwanted for d in table.column("document_id").to_pylist()]
                if not all(keep):
                    pq.write_table(table.filter(pa.array(keep, type=pa.bool_())), part)
            if pq.read_metadata(part).num_rows == 0:
                continue
            target = out / name / f"part-{batch}-{chunk:05d}.parquet"
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(part, target)
            published = True
        empty = out / name / "part-empty.parquet"
        if published and empty.exists():
            empty.unlink()


def run_gate_safely(staging: Path, exclude: dict[int, set[str]]):
    """Run the gate on a staged batch (imported lazily: great-expectations is slow to import).

    ``exclude`` holds, by chunk, the documents whose rows in that chunk's parts are repeats
    (they are not published, and the gate does not see them).
    """
    from loaders.validate import run_gate

    frames = {}
    for name in SCHEMAS:
        if name == "cells":
            continue  # printed text only: its schema is enforced by pyarrow on write
        folder = staging / name
        parts = sorted(folder.glob("part-*.parquet")) if folder.exists() else []
        tables = []
        for part in parts:
            table = pq.read_table(part)
            unwanted = exclude.get(int(part.stem.split("-")[1]))
            if unwanted:
                keep = [d not in unwanted for d in table.column("document_id").to_pylist()]
                table = table.filter(pa.array(keep, type=pa.bool_()))
            tables.append(table)
        frame = (
            pa.concat_tables(tables).to_pandas()
            if tables
            else pd.DataFrame(columns=SCHEMAS[name].names)
        )
        if "amount" in frame:
            frame["amount"] = frame["amount"].astype(float)
        frames[name] = frame
    return run_gate(frames)


def _quarantine(out: Path, doc: dict[str, Any], reasons: list[str]) -> None:
    folder = out / "_quarantine"
    folder.mkdir(exist_ok=True)
    (folder / f"{doc['document_id']}.json").write_text(
        json.dumps(
            {"source_file": doc["source_file"], "reasons": reasons}, ensure_ascii=False, indent=1
        ),
        encoding="utf-8",
    )


def _live_parts(out: Path, name: str, landed: dict[str, Any]) -> list[Path]:
    """A dataset's parts of the batches the manifest ``landed`` points at (sorted)."""
    batches = {doc["batch"] for doc in landed.values()}
    folder = out / name
    parts = sorted(folder.glob("part-*-*.parquet")) if folder.exists() else []
    return [part for part in parts if part.stem.split("-")[1] in batches]


def _ensure_all_datasets(out: Path, landed: dict[str, Any]) -> None:
    """Every dataset folder holds at least one (possibly empty) part, so dbt's globs resolve.

    Only the parts ``landed`` points at count: the others are deleted after the manifest.
    """
    for name in SCHEMAS:
        folder = out / name
        if not _live_parts(out, name, landed) and not (folder / "part-empty.parquet").exists():
            empty = _table(name, [])
            _write_atomic(folder / "part-empty.parquet", lambda p, t=empty: pq.write_table(t, p))


def _compact(out: Path, landed: dict[str, Any]) -> list[Path]:
    """Merge each dataset's parts into one, once the landed documents span over MAX_BATCHES loads.

    Every load adds a part per dataset, and every read of a staging view opens them all: a
    long-running service would slow down with each new document. The merged parts belong to a
    new batch, every landed document is pointed at it (the caller writes the manifest), and the
    old parts are returned for the caller to delete after the manifest. If the process dies in
    between, whichever parts the manifest does not point at are orphans the next load removes.
    Rows are copied as they are and in the order they were read, with DuckDB's memory capped.
    """
    if len({doc["batch"] for doc in landed.values()}) <= MAX_BATCHES:
        return []
    parts = {name: _live_parts(out, name, landed) for name in SCHEMAS}
    import duckdb  # only here: the parsers and the CLI do not need it

    from loaders.export import sql_string

    # "k…": not a hex digit, so never the name of a load's batch (12 hex digits)
    batch = "k" + hashlib.sha256("|".join(sorted(landed)).encode()).hexdigest()[:11]
    with duckdb.connect(config=COMPACT_SETTINGS) as con:
        for name, files in parts.items():
            if not files:
                continue
            listed = ", ".join(sql_string(str(f)) for f in files)

            def copy(path: Path, listed: str = listed) -> None:
                con.execute(
                    f"copy (select * from read_parquet([{listed}], union_by_name = true)) "
                    f"to {sql_string(str(path))} (format parquet)"
                )

            _write_atomic(out / name / f"part-{batch}-00000.parquet", copy)
    for doc in landed.values():
        doc["batch"] = batch
    return [f for files in parts.values() for f in files]


def _clean_orphans(out: Path, landed: dict[str, Any]) -> None:
    """Drop what a killed load left: staging folders, parts no manifest entry points at.

    Half-written files (``.tmp-*``) go too: dbt's ``*.parquet`` glob would read them.
    """
    for staging in out.glob(".staging-*"):
        shutil.rmtree(staging, ignore_errors=True)
    batches = {doc["batch"] for doc in landed.values()}
    for name in SCHEMAS:
        folder = out / name
        for part in folder.glob("part-*-*.parquet") if folder.exists() else []:
            if part.stem.split("-")[1] not in batches:
                part.unlink()
        for tmp in folder.glob(".tmp-*") if folder.exists() else []:
            tmp.unlink()


def _retire(out: Path, landed: dict[str, Any], leaving: list[str]) -> list[Path]:
    """Take documents out of the landed data without rewriting a part the manifest points at.

    Every part of a batch that holds a leaving document is copied without its rows to a part of
    a new batch (``r…``), the batch's other documents are pointed at it, and the leaving ones
    leave ``landed`` (the caller writes the manifest). The old parts are returned, for the
    caller to delete after the manifest: if the process dies before it, the copies are orphans,
    and after it the old parts are; the next load removes either.
    """
    drop = set(leaving)
    obsolete: list[Path] = []
    for batch in sorted({landed[d]["batch"] for d in drop}):
        staying = sorted(d for d, doc in landed.items() if doc["batch"] == batch and d not in drop)
        # "r…": not a hex digit, so never the name of a load's batch (12 hex digits)
        new = "r" + hashlib.sha256("|".join([batch, *staying]).encode()).hexdigest()[:11]
        for name in SCHEMAS:
            folder = out / name
            for path in sorted(folder.glob(f"part-{batch}-*.parquet")) if folder.exists() else []:
                obsolete.append(path)
                if not staying:
                    continue
                ids = pq.read_table(path, columns=["document_id"]).column("document_id")
                keep = [d not in drop for d in ids.to_pylist()]
                if not any(keep):
                    continue
                target = folder / f"part-{new}-{path.stem.split('-', 2)[2]}.parquet"
                if all(keep):
                    _write_atomic(target, lambda p, src=path: shutil.copyfile(src, p))
                else:
                    kept = pq.read_table(path).filter(pa.array(keep, type=pa.bool_()))
                    _write_atomic(target, lambda p, t=kept: pq.write_table(t, p))
        for doc_id in staying:
            landed[doc_id]["batch"] = new
    for doc_id in drop:
        del landed[doc_id]
    return obsolete
