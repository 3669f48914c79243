"""One document, end to end and pure: bytes → document model → rows of every landed dataset."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from loaders import settings as s
from loaders import version
from loaders.errors import InputError
from loaders.identify import identify
from loaders.interpret import Context, TableResult, interpret
from loaders.model import Document
from loaders.segment import Table, has_amount, segment, table_of_contents
from loaders.text import content_hash, decode, read_text

PDF_MAGIC = b"%PDF-"


def read_document(data: bytes, source: str) -> Document:
    """The document model of a file's bytes: a PDF by its magic number, else text.

    Raises:
        InputError: unreadable input (see :func:`loaders.pdf.read_pdf` and
            :func:`loaders.text.decode`).
    """
    if data.lstrip()[:5] == PDF_MAGIC:
        from loaders.pdf import read_pdf  # pypdfium2 only where a PDF is read

        return read_pdf(data, source)
    return read_text(decode(data, source))


def parse_bytes(data: bytes, source_file: str) -> ParsedDocument:
    """Parse one file's bytes: the pure function a batch (or a distributed engine) maps.

    Raises:
        InputError: the document cannot be loaded (message names file and page or line).
    """
    return parse_document(
        read_document(data, source_file), source_file, hashlib.sha256(data).hexdigest()
    )


@dataclass
class ParsedDocument:
    """The rows a document lands, by dataset name (see :mod:`loaders.schema`)."""

    document_id: str
    source_file: str
    datasets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)

    @property
    def document(self) -> dict[str, Any]:
        """The document's row of the ``documents`` dataset."""
        return self.datasets["documents"][0]


def parse_document(document: Document, source_file: str, source_sha256: str) -> ParsedDocument:
    """Parse one disclosure from its document model.

    Args:
        document: what a reader made of the file (see :func:`read_document`).
        source_file: file name, kept as provenance and used in messages.
        source_sha256: hash of the file's bytes.

    Returns:
        Rows for every dataset, plus human-readable messages (``file:line: …``) for problems.

    Raises:
        InputError: no table of a known disclosure layout was found (unknown layout), or the
            document does not say which department and year it is.
    """
    text = document.text
    digest = content_hash(text)
    document_id = digest[:16]
    tables = segment(document)
    department_lines = [t.department_line for t in tables if t.department_line]
    identity = identify(text, department_lines)
    # a narrative without tables is one part of a disclosure published as two files
    recognised = [t for t in tables if t.family in s.TYPED_FAMILIES]
    narrative_only = not tables and identity.fiscal_year and identity.department_name
    if not recognised and not narrative_only:
        line = tables[0].first_line if tables else None
        raise InputError(
            source_file,
            line,
            "unknown layout: no table of a known disclosure family "
            f"(收支总表, 支出表, 基本支出表, …) was found among {len(tables)} tables",
        )
    _check_not_truncated(text, tables, source_file)
    if identity.fiscal_year is None or identity.department_name is None:
        raise InputError(
            source_file,
            1,
            "cannot identify the document: no fiscal year or department in its title",
        )
    units = Counter(t.unit_as_printed for t in recognised if t.unit_as_printed)
    default_unit = units.most_common(1)[0][0] if units else None
    # a table without a unit of its own is never given another table's: no document default
    ctx = Context(
        document_id,
        source_file,
        identity.department_names_seen,
        identity.disclosure_kind,
        identity.fiscal_year,
    )
    parsed = ParsedDocument(document_id, source_file)
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in _DATASETS}
    results: list[tuple[Table, TableResult]] = []
    for table in tables:
        result = interpret(table, ctx)
        results.append((table, result))
        out["tables"].append(_table_row(document_id, table, result))
        out["cells"].extend(result.cells)
        if result.dataset:
            out[result.dataset].extend(result.rows)
        for name, extra_rows in result.extra.items():
            out[name].extend(extra_rows)
        out["coverage"].append(_coverage_row(document_id, table, result))
        for note in result.notes:
            out["parse_notes"].append(
                {
                    "document_id": document_id,
                    "table_id": result.table_id,
                    "source_line": note.line,
                    "severity": note.severity,
                    "code": note.code,
                    "message": note.message,
                }
            )
            if note.severity == "error":
                where = f"{source_file}:{note.line}" if note.line else source_file
                parsed.messages.append(f"{where}: {table.title_as_printed}: {note.message}")
    first = min((t.first_line for t in recognised), default=None)
    toc = table_of_contents(text, first)
    for entry in toc:
        out["toc_entries"].append(
            {
                "document_id": document_id,
                "source_line": entry.line,
                "title_as_printed": entry.title_as_printed,
                "title": entry.title,
                "family": entry.family,
                "budget_scope": entry.budget_scope,
                "is_carryover": entry.is_carryover,
                "matched_table_id": _match_toc(entry, results),
            }
        )
    out["documents"].append(
        {
            "document_id": document_id,
            "content_sha256": digest,
            "source_file": source_file,
            "source_sha256": source_sha256,
            "encoding": document.encoding,
            "source_format": document.source_format,
            "page_count": document.page_count,
            "disclosure_level": identity.disclosure_level,
            "disclosure_part": _part(document, tables),
            "title": identity.title,
            "department_name": identity.department_name,
            "department_names_seen": "|".join(identity.department_names_seen),
            "fiscal_year": identity.fiscal_year,
            "disclosure_kind": identity.disclosure_kind,
            "unit_as_printed": default_unit,
            "tables_found": len(tables),
            "tables_recognised": len(recognised)
            + sum(1 for t in tables if t.family in s.FORM_VALUE_FAMILIES),
            "toc_tables": "|".join(e.title for e in toc),
            "parser_version": s.PARSER_VERSION,
            "parser_fingerprint": version.parser_fingerprint(),
        }
    )
    parsed.datasets = out
    return parsed


_DATASETS = (
    "documents",
    "tables",
    "cells",
    "toc_entries",
    "summary_rows",
    "revenue_rows",
    "function_rows",
    "economic_rows",
    "three_public_rows",
    "project_rows",
    "operating_cost_rows",
    "form_values",
    "coverage",
    "parse_notes",
)


def _part(document: Document, tables: list[Table]) -> str:
    """Which part of a disclosure the file is: ``complete``, ``narrative`` or ``tables``.

    Some provinces publish one disclosure as two files, the narrative (说明, no tables) and the
    tables (no prose). Prose is a text line outside the tables that ends a sentence (。).
    """
    if not tables:
        return "narrative"
    # on paged input, prose counts on pages without table rows (a table cell's text can wrap
    # out of its grid, a 绩效目标 form holds sentences)
    table_pages = {line.page for line in document.lines if line.is_table}
    prose = any(
        not line.is_table
        and "。" in line.text
        and len(line.text) >= 15
        and (document.page_count == 1 or line.page not in table_pages)
        for line in document.lines
    )
    return "complete" if prose else "tables"


def _check_not_truncated(text: str, tables: list[Table], source_file: str) -> None:
    """Reject a document whose text stops inside a table row (a cut or partial download)."""
    last_line = len(text.rstrip().split("\n"))
    table = tables[-1] if tables else None
    if table is None or table.last_line != last_line:
        return
    heads = [r for r in table.rows if not has_amount(r.cells)]
    if any(r.packed for r in table.rows) or len({len(r.cells) for r in heads}) > 1:
        return  # rows printed without their empty cells: their widths say nothing
    width = max(len(r.cells) for r in table.rows[:-1]) if len(table.rows) > 1 else 0
    printed = len(table.rows[-1].cells)
    if printed < width:
        raise InputError(
            source_file,
            last_line,
            f"truncated: the text ends inside table '{table.title_as_printed}' (the last line "
            f"prints {printed} of {width} cells)",
        )


def _match_toc(entry, results: list[tuple[Table, TableResult]]) -> str | None:
    """The table a TOC entry refers to: same title, else the only table of its family/scope."""
    for table, result in results:
        if table.title == entry.title:
            return result.table_id
    candidates = [
        result.table_id
        for table, result in results
        if table.family == entry.family
        and table.budget_scope == entry.budget_scope
        and table.is_carryover == entry.is_carryover
    ]
    return candidates[0] if candidates else None


def _table_row(document_id: str, table: Table, result: TableResult) -> dict[str, Any]:
    return {
        "document_id": document_id,
        "table_id": result.table_id,
        "table_index": table.index,
        "title": table.title,
        "title_as_printed": table.title_as_printed,
        "family": table.family,
        "budget_scope": table.budget_scope,
        "is_carryover": table.is_carryover,
        "unit_as_printed": table.unit_as_printed,
        "unit_factor": str(result.factor),
        "department_line": table.department_line,
        "header_text": result.header_text,
        "first_line": table.first_line,
        "last_line": table.last_line,
        "n_parts": table.n_parts,
        "n_body_rows": result.n_body_rows,
        "is_empty": result.is_empty,
        "empty_note": result.empty_note,
        "layout_note": result.layout_note,
    }


def _coverage_row(document_id: str, table: Table, result: TableResult) -> dict[str, Any]:
    reason = None
    if result.is_empty:
        status = "empty"
    elif result.not_typed:
        status, reason = "not_typed", result.not_typed
    elif result.numeric_landed == result.numeric_printed and not result.numeric_twice:
        status = "complete"
    else:
        status = "incomplete"
        missing = result.numeric_printed - result.numeric_landed
        if missing and missing == result.numeric_other_year:
            reason = "another year's figures or a change, kept in cells only"
        elif missing:
            reason = result.incomplete_reason or "numeric cells not landed (see parse_notes)"
        else:
            reason = "cells landed twice"
    return {
        "document_id": document_id,
        "table_id": result.table_id,
        "family": table.family,
        "numeric_cells_printed": result.numeric_printed,
        "numeric_cells_landed": result.numeric_landed,
        "numeric_cells_landed_twice": result.numeric_twice,
        "status": status,
        "reason": reason,
    }
