"""Reading converter text without tabs: cells separated by spaces, or printed one per line.

Converters print a PDF's tables in three other ways than the samples' tab-separated text:

- ``spaced``: one printed row per line, cells separated by single spaces and the empty cells
  gone (pdfplumber's ``extract_text``);
- ``fixed_width``: one printed row per line, cells placed at their x position with runs of
  spaces (``pdftotext -layout``);
- ``cell_per_line``: one cell per line, a row's cells on consecutive lines (PyMuPDF).

All three lose the empty cells of a row, so a row's amounts cannot be placed under its columns
by position. The reader says so: it produces *packed* table rows
(:attr:`loaders.model.Line.packed`): the cells in printed order, codes and name first, then
the amounts; placing them under the table's columns is interpretation's job
(:mod:`loaders.packed`), by the table's arithmetic. A fixed-width row keeps each cell's x
extent (in characters) as its box, which places a wrapped header cell among the columns. Rows
rebuilt from one-cell-per-line text are marked ``regrouped``: which cells make one row is the
reader's reconstruction, so none of their amounts is typed.

Which lines are table rows: those after a table title (and its unit and department lines) up
to the next title or paragraph of text. Everything else is text, as in the tab reader.
"""

from __future__ import annotations

import re

from loaders import settings as s
from loaders.model import BBox, Document, Line
from loaders.text import Decoded, compact

# an amount printed against the next cell's text (``47,483,458一、社会保障和就业支出``): only a
# number with a thousands separator or decimals, so a code glued to its name stays one token
_GLUED_AMOUNT = re.compile(
    r"^([-−]?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d+|[-−]?\d{1,3}(?:,\d{3})+)([^\d.,，．].*)$"
)
_SENTENCE = re.compile(r"[。；;]|[，,、].*[，,、]")
_RUN_GAP = re.compile(r"\S+(?: \S+)*")  # fixed width: cells are runs without a double space
_FIXED_GAP = re.compile(r"\S {3,}\S")


def dialect(text: str) -> str:
    """Which way a text without tab-separated rows prints its tables (see module docstring)."""
    lines = [line for line in text.split("\n") if line.strip() and "\f" not in line]
    if not lines:
        return "spaced"
    lone_amounts = sum(1 for line in lines if s.AMOUNT.match(line.strip().replace(" ", "")))
    if lone_amounts >= 0.1 * len(lines):
        return "cell_per_line"
    gapped = sum(1 for line in lines if _FIXED_GAP.search(line.strip()))
    if gapped >= 0.1 * len(lines):
        return "fixed_width"
    return "spaced"


def tokens(text: str) -> list[str]:
    """A packed row's cells: its words (split at spaces).

    An amount glued to the text after it is split from it. Which words make one name is
    interpretation's to say.
    """
    cells: list[str] = []
    for word in text.split():
        glued = _GLUED_AMOUNT.match(word)
        cells += [glued.group(1), glued.group(2)] if glued else [word]
    return cells


def _fixed_cells(line: str) -> tuple[list[str], list[BBox | None]]:
    """A fixed-width line's cells (runs without a double space), each with its x extent."""
    cells: list[str] = []
    boxes: list[BBox | None] = []
    for run in _RUN_GAP.finditer(line):
        start = run.start()
        offset = 0
        for cell in tokens(run.group()):
            at = line.index(cell, start + offset)
            end = at + len(cell)
            cells.append(cell)
            boxes.append((float(at), 0.0, float(end), 0.0))
            offset = end - start
    return cells, boxes


def _is_sentence(text: str) -> bool:
    """A line of prose: sentence punctuation, or a long text without a number cell."""
    words = [t for t in tokens(text) if not s.AMOUNT.match(t)]
    folded = compact("".join(words))
    if _SENTENCE.search(folded) or folded.startswith(("注", "说明")):
        return True
    return len(folded) > 40 and len(words) == len(tokens(text))


def _is_meta(text: str) -> bool:
    folded = compact(text)
    return bool(
        s.UNIT_LINE.match(folded)
        or s.DEPARTMENT_LINE.match(folded)
        or s.UNIT_IN_TEXT.search(folded)
    )


def _cell_per_line_rows(lines: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Rows of one-cell-per-line text, rebuilt as space-separated lines.

    A row ends at its last amount: a text or code line after an amount starts the next row;
    the header (before the first amount) is one row. Code parts (``201`` ``06`` ``01``) and a
    name that follow each other stay in one row.
    """
    rows: list[tuple[int, int, str]] = []
    current: list[str] = []
    start: tuple[int, int] | None = None
    seen_amount = False
    last_page = None
    for number, page, text in lines:
        cells = tokens(text)
        for cell in cells:
            is_number = bool(s.AMOUNT.match(cell)) and not _is_code_part(cell)
            code_after_text = (
                _is_code_part(cell) and len(cell) != 2 and current and not current[-1].isdigit()
            )
            if current and (
                (not is_number and seen_amount) or code_after_text or page != last_page
            ):
                rows.append((start[0], start[1], " ".join(current)))  # type: ignore[index]
                current, seen_amount = [], False
            if not current:
                start = (number, page)
            current.append(cell)
            seen_amount = seen_amount or is_number
            last_page = page
    if current and start:
        rows.append((start[0], start[1], " ".join(current)))
    return rows


def _is_code_part(cell: str) -> bool:
    return cell.isdigit() and len(cell) in (2, 3, 5, 7)


def read_spaced(decoded: Decoded) -> Document:
    """The document model of converter text without tab-separated rows (see module docstring).

    Pages: a form feed or a page-marker line starts a new page. Line numbers are the text's
    (a row rebuilt from one-cell-per-line text has the number of its first line).
    """
    kind = dialect(decoded.text)
    numbered: list[tuple[int, int, str]] = []
    page = 1
    for number, raw in enumerate(decoded.text.split("\n"), 1):
        if "\f" in raw:
            page += raw.count("\f")
            raw = raw.replace("\f", "")
        if not raw.strip():
            continue
        if raw.lstrip()[:2] == "--" and s.PAGE_MARKER.match(raw.strip()):
            page += 1
            continue
        numbered.append((number, page, raw.rstrip()))

    out: list[Line] = []
    in_table = False
    pending: list[tuple[int, int, str]] = []  # one-cell-per-line text of the current table

    def flush() -> None:
        for number, row_page, text in _cell_per_line_rows(pending):
            out.append(Line(number, row_page, tokens(text), True, packed=True, regrouped=True))
        pending.clear()

    for number, line_page, raw in numbered:
        text = raw.strip()
        if _is_title(text):
            flush()
            in_table = True
            out.append(Line(number, line_page, [text], False))
            continue
        if in_table and _is_meta(text):
            out.append(Line(number, line_page, [text], False))
            continue
        if not in_table or _is_sentence(text) or s.DOT_LEADER.search(text):
            flush()
            in_table = False
            out.append(Line(number, line_page, [text], False))
            continue
        if kind == "cell_per_line":
            pending.append((number, line_page, text))
        elif kind == "fixed_width":
            cells, boxes = _fixed_cells(raw)
            out.append(Line(number, line_page, cells, True, boxes, packed=True))
        else:
            out.append(Line(number, line_page, tokens(text), True, packed=True))
    flush()
    pages = numbered[-1][1] if numbered else 1
    return Document(out, pages, kind, decoded.encoding, text=decoded.text)


def _is_title(text: str) -> bool:
    from loaders.segment import is_title_line  # segmentation reads the titles it recognises

    return is_title_line(text)
