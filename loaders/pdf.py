"""PDF reader: the text layer with coordinates → the document model (:mod:`loaders.model`).

Uses pypdfium2 (Apache-2.0 / BSD-3-Clause): every character with its box, and the page's path
objects for the ruling lines. Per page:

1. characters (generated spaces and whitespace skipped) are grouped into visual lines by their
   vertical centre (rows by baseline);
2. the ruling lines are read from the page's paths: thin horizontal and vertical segments, and
   the edges of rectangles;
3. a line that vertical rules cross is a row of a ruled table: it is cut into cells at the
   rules, and each cell's text lands in the leftmost column of the span its rules enclose (a
   header cell spanning three columns sits in the first, as the tab converter prints it);
4. a line that no rule crosses is cut at wide gaps; if it prints amounts in several pieces it is
   an unruled table row, whose columns come from the x-extents of the pieces of its block;
5. a ruled line with no rule above it inside its cell continues the row above (a wrapped name or
   header cell): its text is joined to that cell.

Columns are numbered per table grid (the vertical rules of a run of ruled lines); a grid that
continues a table on the next page is mapped onto the columns of the page before by position.
Every cell keeps its page and bounding box.
"""

from __future__ import annotations

import ctypes
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from loaders import settings as s
from loaders.errors import InputError
from loaders.model import BBox, Document, Line

# a segment this thin (points) is a ruling line; rules closer than SNAP are one rule
RULE_THICKNESS = 2.5
SNAP = 2.0
MIN_RULE = 4.0
# a gap between two characters wider than this many character heights separates cells in a
# line that no rule crosses (amounts in WPS PDFs space their digits up to about 0.55 heights)
CELL_GAP = 1.2
# within a cell, a gap wider than this many character heights is printed as a space
WORD_GAP = 0.6
_NUMERIC = re.compile(r"^[-−]?[\d,，.]+$")
_NUMERIC_CHARS = frozenset("0123456789,，.")
_BLANK_CODES = frozenset((0xA0, 0x3000, 0xFFFE, 0xFFFF))
_AMOUNT_PIECE = re.compile(r"^[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_PROSE_PUNCTUATION = re.compile(r"[，。；]")


class _Char:
    """One printed character and its box (top-left coordinates); centre and height kept."""

    __slots__ = ("ch", "x0", "top", "x1", "bottom", "centre", "height")

    def __init__(self, ch: str, x0: float, top: float, x1: float, bottom: float) -> None:
        self.ch, self.x0, self.top, self.x1, self.bottom = ch, x0, top, x1, bottom
        self.centre = (top + bottom) / 2
        self.height = bottom - top


@dataclass(slots=True)
class _VisualLine:
    chars: list[_Char]
    top: float
    bottom: float

    @property
    def centre(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class _Rules:
    """The page's ruling lines, top-left coordinates."""

    # vertical: (x, y0, y1); horizontal: (y, x0, x1)
    vertical: list[tuple[float, float, float]] = field(default_factory=list)
    horizontal: list[tuple[float, float, float]] = field(default_factory=list)

    def crossing(self, y: float) -> list[float]:
        """X of the vertical rules crossing height ``y``, sorted and snapped."""
        xs = sorted(x for x, y0, y1 in self.vertical if y0 - 1 <= y <= y1 + 1)
        return _snap(xs)

    def rule_between(self, y_above: float, y_below: float, x0: float, x1: float) -> bool:
        """Is there a horizontal rule between two heights over the span x0..x1?"""
        mid = (x0 + x1) / 2
        for y, rx0, rx1 in self.horizontal:
            if y_above < y < y_below and rx0 - 1 <= mid <= rx1 + 1:
                return True
        return False


def _snap(xs: list[float]) -> list[float]:
    out: list[float] = []
    for x in xs:
        if out and x - out[-1] <= SNAP:
            continue
        out.append(x)
    return out


# ----------------------------------------------------------------------------- extraction


def _page_chars(page: pdfium.PdfPage, height: float) -> list[_Char]:
    textpage = page.get_textpage()
    try:
        n = pdfium_c.FPDFText_CountChars(textpage.raw)
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        get_unicode = pdfium_c.FPDFText_GetUnicode
        get_box = pdfium_c.FPDFText_GetCharBox
        raw = textpage.raw
        chars = []
        for i in range(n):
            code = get_unicode(raw, i)
            # PDFium's generated characters are spaces and line breaks: skipped with whitespace
            if code <= 32 or code in _BLANK_CODES:
                continue
            get_box(raw, i, left, right, bottom, top)
            chars.append(
                _Char(chr(code), left.value, height - top.value, right.value, height - bottom.value)
            )
        return chars
    finally:
        textpage.close()


def _path_objects(page: pdfium.PdfPage) -> Iterator[Any]:
    """The raw path objects of a page, form XObjects opened (the wrapper objects cost more)."""
    raw = page.raw
    stack = [
        pdfium_c.FPDFPage_GetObject(raw, i) for i in range(pdfium_c.FPDFPage_CountObjects(raw))
    ]
    depth = {id(o): 0 for o in stack}
    while stack:
        obj = stack.pop()
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            yield obj
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth.get(id(obj), 0) < 3:
            for i in range(pdfium_c.FPDFFormObj_CountObjects(obj)):
                child = pdfium_c.FPDFFormObj_GetObject(obj, i)
                depth[id(child)] = depth.get(id(obj), 0) + 1
                stack.append(child)


def _page_rules(page: pdfium.PdfPage, height: float) -> _Rules:
    rules = _Rules()
    left_, bottom_, right_, top_ = (ctypes.c_float() for _ in range(4))
    for obj in _path_objects(page):
        if not pdfium_c.FPDFPageObj_GetBounds(obj, left_, bottom_, right_, top_):
            continue
        left, bottom, right, top = left_.value, bottom_.value, right_.value, top_.value
        width, tall = right - left, top - bottom
        y_top, y_bottom = height - top, height - bottom
        if tall <= RULE_THICKNESS and width >= MIN_RULE:
            rules.horizontal.append(((y_top + y_bottom) / 2, left, right))
        elif width <= RULE_THICKNESS and tall >= MIN_RULE:
            rules.vertical.append(((left + right) / 2, y_top, y_bottom))
        elif width > RULE_THICKNESS and tall > RULE_THICKNESS:
            _path_edges(obj, height, rules)
    return rules


def _path_edges(raw: Any, height: float, rules: _Rules) -> None:
    """Axis-parallel edges of a path that is not itself a thin line (cell borders, grids)."""
    count = pdfium_c.FPDFPath_CountSegments(raw)
    if count <= 0 or count > 4000:
        return
    matrix = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(raw, matrix):
        return
    x, y = ctypes.c_float(), ctypes.c_float()
    points: list[tuple[float, float, int]] = []
    for i in range(count):
        segment = pdfium_c.FPDFPath_GetPathSegment(raw, i)
        pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        px = matrix.a * x.value + matrix.c * y.value + matrix.e
        py = matrix.b * x.value + matrix.d * y.value + matrix.f
        closes = pdfium_c.FPDFPathSegment_GetClose(segment)
        points.append((px, height - py, kind))
        if closes:
            start = next(
                (p for p in reversed(points[:-1]) if p[2] == pdfium_c.FPDF_SEGMENT_MOVETO), None
            )
            if start is not None:
                points.append((start[0], start[1], pdfium_c.FPDF_SEGMENT_LINETO))
    for (ax, ay, _), (bx, by, kind) in zip(points, points[1:], strict=False):
        if kind != pdfium_c.FPDF_SEGMENT_LINETO:
            continue
        if abs(ay - by) <= RULE_THICKNESS and abs(ax - bx) >= MIN_RULE:
            rules.horizontal.append(((ay + by) / 2, min(ax, bx), max(ax, bx)))
        elif abs(ax - bx) <= RULE_THICKNESS and abs(ay - by) >= MIN_RULE:
            rules.vertical.append(((ax + bx) / 2, min(ay, by), max(ay, by)))


def _visual_lines(chars: list[_Char]) -> list[_VisualLine]:
    """Group characters into lines by vertical centre (one line per printed baseline).

    Full-size characters make the lines; small ones (commas, full stops, colons, whose boxes
    sit low or high) join a line near their centre or their bottom (a full stop sits on the
    baseline): the line with a character right beside them if there is one (in a tightly set
    table the full stop of ``260.31`` can be nearer the centre of the wrapped name printed
    under it than of its own digits), else the nearest.
    """
    if not chars:
        return []
    # the typical height of a letter, digit or ideograph (not of dots, commas or 一, a stroke)
    heights = sorted(c.height for c in chars if c.ch.isalnum() and c.ch != "一") or sorted(
        c.height for c in chars
    )
    typical = heights[len(heights) // 2]
    small = [c for c in chars if c.height < 0.6 * typical]
    lines: list[_VisualLine] = []
    line: _VisualLine | None = None
    for char in sorted((c for c in chars if c.height >= 0.6 * typical), key=lambda c: c.centre):
        tolerance = 0.35 * char.height
        if line is not None and abs(char.centre - line.centre) <= (
            tolerance if tolerance > 2.0 else 2.0
        ):
            line.chars.append(char)
            if char.top < line.top:
                line.top = char.top
            if char.bottom > line.bottom:
                line.bottom = char.bottom
        else:
            line = _VisualLine([char], char.top, char.bottom)
            lines.append(line)
    for line in lines:
        line.chars.sort(key=lambda c: c.x0)
    centres = [line.centre for line in lines]
    lefts = [[c.x0 for c in line.chars] for line in lines]
    reach = 0.75 * typical
    joined: list[tuple[_VisualLine, _Char]] = []
    for char in small:
        i = bisect_left(centres, char.centre)
        near = []
        for k in range(max(i - 2, 0), min(i + 2, len(lines))):
            line = lines[k]
            distance = min(abs(line.centre - char.centre), abs(line.bottom - char.bottom))
            if distance <= reach:
                near.append((distance, k))
        if not near:
            lines.insert(i, _VisualLine([char], char.top, char.bottom))
            centres.insert(i, char.centre)
            lefts.insert(i, [char.x0])
            continue
        if len(near) > 1:
            near = [
                (*_neighbours(lines[k].chars, lefts[k], char, typical), distance, k)
                for distance, k in near
            ]
            # a line it overlaps last, a line with a character beside it first, then the nearest
            near.sort(key=lambda n: (n[0], not n[1], n[2], n[3]))
        joined.append((lines[near[0][-1]], char))
    for line, char in joined:
        line.chars.append(char)
    for line in lines:
        line.chars.sort(key=lambda c: c.x0)
    return lines


def _neighbours(
    chars: list[_Char], lefts: list[float], char: _Char, gap: float
) -> tuple[bool, bool]:
    """Where ``char`` falls among a line's ``chars`` (sorted by x0; ``lefts`` their x0).

    Returns:
        (overlaps, beside): does its box overlap a character of the line (then it is not of
        that line: printed characters of one line do not overlap), does a character of the
        line end or start within ``gap`` of it.
    """
    i = bisect_left(lefts, char.x0)
    overlaps = beside = False
    width = char.x1 - char.x0
    for k in (i - 1, i):
        if 0 <= k < len(chars):
            other = chars[k]
            shared = min(other.x1, char.x1) - max(other.x0, char.x0)
            if shared > 0.3 * width:
                overlaps = True
            elif other.x0 - char.x1 <= gap and char.x0 - other.x1 <= gap:
                beside = True
    return overlaps, beside


def _join(chars: list[_Char]) -> str:
    """The text of a run of characters, with a space where the print leaves a word gap."""
    out: list[str] = []
    previous: _Char | None = None
    for char in chars:
        if previous is not None:
            size = previous.height if previous.height > char.height else char.height
            if char.x0 - previous.x1 > WORD_GAP * (size if size > 1.0 else 1.0) and not (
                previous.ch in _NUMERIC_CHARS and char.ch in _NUMERIC_CHARS
            ):
                out.append(" ")
        out.append(char.ch)
        previous = char
    return "".join(out)


def _box(chars: list[_Char]) -> BBox:
    return (
        round(min(c.x0 for c in chars), 2),
        round(min(c.top for c in chars), 2),
        round(max(c.x1 for c in chars), 2),
        round(max(c.bottom for c in chars), 2),
    )


def _pieces(chars: list[_Char]) -> list[list[_Char]]:
    """Split an unruled line at gaps wider than CELL_GAP character heights."""
    pieces: list[list[_Char]] = []
    for char in chars:
        if pieces:
            previous = pieces[-1][-1]
            size = max(previous.height, char.height, 1.0)
            if char.x0 - previous.x1 <= CELL_GAP * size:
                pieces[-1].append(char)
                continue
        pieces.append([char])
    return pieces


# ----------------------------------------------------------------------------- page layout


@dataclass
class _Row:
    """A visual line: cut at the rules crossing it (ruled), or at wide gaps (unruled)."""

    page: int
    top: float
    bottom: float
    cuts: list[float]  # x of the vertical rules crossing the line (ruled rows)
    cells: dict[int, list[_Char]]  # cut index → characters (ruled), column index (unruled)
    pieces: list[list[_Char]] | None = None  # an unruled line's gap-separated pieces
    first_centre: float = 0.0  # centre of the row's first visual line

    def __post_init__(self) -> None:
        self.first_centre = (self.top + self.bottom) / 2

    @property
    def ruled(self) -> bool:
        return bool(self.cuts)


def _ruled_row(line: _VisualLine, cuts: list[float], page: int) -> _Row | None:
    """Cut a line at the vertical rules crossing it; None if a character lies outside them."""
    cells: dict[int, list[_Char]] = {}
    for char in line.chars:
        i = bisect_right(cuts, (char.x0 + char.x1) / 2) - 1
        if i < 0 or i >= len(cuts) - 1:
            return None
        cells.setdefault(i, []).append(char)
    return _Row(page, line.top, line.bottom, cuts, cells)


def _layout_page(page_no: int, chars: list[_Char], rules: _Rules) -> list[_Row]:
    rows: list[_Row] = []
    for line in _visual_lines(chars):
        cuts = rules.crossing(line.centre)
        row = _ruled_row(line, cuts, page_no) if len(cuts) >= 3 else None
        if row is None:
            row = _Row(page_no, line.top, line.bottom, [], {}, _pieces(line.chars))
        rows.append(row)
    out: list[_Row] = []
    i = 0
    while i < len(rows):
        if not rows[i].ruled:
            out.append(rows[i])
            i += 1
            continue
        j = i
        while j < len(rows) and rows[j].ruled and _same_frame(rows[i].cuts, rows[j].cuts):
            j += 1
        j = max(j, i + 1)
        if all(_is_prose(row) for row in rows[i:j]):
            # lines of prose whose words sit in boxes of their own (text backgrounds): the
            # boxes' edges are no grid
            out.extend(_unruled_row(row) for row in rows[i:j])
        else:
            out.extend(_join_wrapped(rows[i:j], rules))
        i = j
    return out


def _is_prose(row: _Row) -> bool:
    """A ruled line printing a sentence's punctuation (，。；), which no table cell prints."""
    return any(_PROSE_PUNCTUATION.search(c.ch) for chars in row.cells.values() for c in chars)


def _unruled_row(row: _Row) -> _Row:
    chars = sorted((c for chars in row.cells.values() for c in chars), key=lambda c: c.x0)
    return _Row(row.page, row.top, row.bottom, [], {}, _pieces(chars))


def _join_wrapped(rows: list[_Row], rules: _Rules) -> list[_Row]:
    """Join the lines of one ruled cell (a wrapped name or header cell) into one row.

    In a grid that rules its rows, geometry decides: a cell of a line with no horizontal rule
    over it between the previous row's first line and this one continues that row's cell. In a
    grid without row rules, a line that prints only text (no amount, no code) continues the row
    above.
    """
    top, bottom = rows[0].top, rows[-1].bottom
    x0, x1 = rows[0].cuts[0], rows[0].cuts[-1]
    inner = {
        round(y) for y, rx0, rx1 in rules.horizontal if top < y < bottom and rx1 > x0 and rx0 < x1
    }
    # rows ruled: about one rule per printed row (a row with an amount or a code; the text lines
    # of a header wrapped over many lines are not rows)
    printed = sum(1 for r in rows if not all(_continues_cell(c) for c in r.cells.values()))
    row_ruled = len(inner) >= max(2, 0.3 * printed)
    out: list[_Row] = []
    for row in rows:
        previous = out[-1] if out else None
        if previous is None:
            out.append(row)
            continue
        if not row_ruled:
            if all(
                _continues_cell(c) and not _is_head_text(c) for c in row.cells.values()
            ) and not _is_head_row(previous):
                _merge_into(previous, row, list(row.cells))
                continue
            out.append(row)
            continue
        # each cell joins the topmost row it shares a ruled cell with (no rule between them);
        # a title, unit or department line printed inside the frame stays a line of its own
        for i in list(row.cells):
            if _is_head_text(row.cells[i]):
                continue
            target = None
            for above in reversed(out):
                if _is_head_row(above):
                    break
                if rules.rule_between(
                    above.first_centre, row.first_centre, row.cuts[i], row.cuts[i + 1]
                ):
                    break
                target = above
            if target is not None:
                _merge_into(target, row, [i])
        if row.cells:
            out.append(row)
    return out


def _is_head_row(row: _Row) -> bool:
    """A row holding only a title, unit or department line."""
    return all(_is_head_text(chars) for chars in row.cells.values())


def _is_head_text(chars: list[_Char]) -> bool:
    text = "".join(c.ch for c in chars)
    return _is_heading_or_note(text) or _is_meta_cell(text)


def _merge_into(target: _Row, row: _Row, cuts: list[int]) -> None:
    """Move the given cells of ``row`` into the cells of ``target`` at the same x."""
    for i in cuts:
        chars = row.cells.pop(i)
        mid = (row.cuts[i] + row.cuts[i + 1]) / 2
        k = bisect_right(target.cuts, mid) - 1
        k = max(0, min(len(target.cuts) - 2, k))
        target.cells.setdefault(k, []).extend(chars)
    if cuts:
        target.bottom = max(target.bottom, row.bottom)


def _same_frame(a: list[float], b: list[float]) -> bool:
    """Two ruled lines inside one grid: the same outer rules (first and last)."""
    return abs(a[0] - b[0]) <= SNAP * 2 and abs(a[-1] - b[-1]) <= SNAP * 2


def _continues_cell(chars: list[_Char]) -> bool:
    """Text that can continue a cell: no amount, no code (digits only)."""
    text = "".join(c.ch for c in chars)
    return not _NUMERIC.match(text)


# ----------------------------------------------------------------------------- document


def _cell_text(chars: list[_Char]) -> str:
    """A cell's text; several visual lines in one cell (a wrapped name) are joined in order."""
    tops = [c.top for c in chars]
    if max(tops) - min(tops) < 0.5 * max(c.height for c in chars):  # one line (most cells)
        return _join(sorted(chars, key=lambda c: c.x0))
    return "".join(_join(line.chars) for line in _visual_lines(chars))


def _unruled_columns(rows: list[_Row]) -> list[float]:
    """Column boundaries of a block of unruled table rows, from the x-extents of its pieces."""
    spans = sorted((p[0].x0, p[-1].x1) for r in rows for p in r.pieces or [])
    merged: list[list[float]] = []
    for x0, x1 in spans:
        if merged and x0 <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], x1)
        else:
            merged.append([x0, x1])
    bounds = [merged[0][0] - 1]
    for (_, a1), (b0, _) in zip(merged, merged[1:], strict=False):
        bounds.append((a1 + b0) / 2)
    bounds.append(merged[-1][1] + 1)
    return bounds


def _is_table_piece_line(row: _Row) -> bool:
    """An unruled line that prints amounts in several pieces (a row of an unruled table).

    A line of text followed by one whole number is a table-of-contents entry with its page
    number, or a sentence with a year, not a table row; nor is a line of justified prose, whose
    wide letter spacing cuts it into pieces (a sentence's ，。； is never in a table cell).
    """
    texts = ["".join(c.ch for c in p) for p in row.pieces or []]
    amounts = [t for t in texts[1:] if _AMOUNT_PIECE.match(t)]
    if len(texts) < 2 or not amounts or any(_PROSE_PUNCTUATION.search(t) for t in texts):
        return False
    # a lone whole number after text is a page number or a year in a sentence, not a table row
    return len(amounts) >= 2 or any(c in amounts[0] for c in ",.")


class _Layout:
    """Turns a document's rows, page by page, into model lines with table column indices."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.columns: list[float] | None = None  # the last grid's columns (for continuations)

    def add_page(self, rows: list[_Row]) -> None:
        i = 0
        first_on_page = True
        while i < len(rows):
            if rows[i].ruled:
                j = i
                while j < len(rows) and rows[j].ruled:
                    j += 1
                self._grid(rows[i:j], continuation=first_on_page)
                first_on_page = False
                i = j
            elif _is_table_piece_line(rows[i]):
                j = i
                while j < len(rows) and not rows[j].ruled and _is_table_piece_line(rows[j]):
                    j += 1
                self._unruled(rows[i:j])
                first_on_page = False
                i = j
            else:
                pieces = rows[i].pieces or []
                self._add(
                    rows[i].page, [_join(p) for p in pieces], False, [_box(p) for p in pieces]
                )
                i += 1

    def _grid(self, rows: list[_Row], continuation: bool) -> None:
        columns = _snap(sorted({x for r in rows for x in r.cuts}))
        previous = self.columns
        if (
            continuation
            and previous
            and all(any(abs(x - y) <= SNAP * 2 for y in previous) for x in columns)
        ):
            columns = previous  # a table continued from the page before: its columns
        else:
            columns = _without_margins(columns, rows)
        self.columns = columns
        width = len(columns) - 1
        for row in rows:
            cells = [""] * width
            boxes: list[BBox | None] = [None] * width
            spans = []
            for cut, chars in row.cells.items():
                k = _nearest(columns, row.cuts[cut])
                spans.append(row.cuts[cut + 1] - row.cuts[cut])
                if 0 <= k < width:
                    text = _cell_text(chars)
                    cells[k] = f"{cells[k]}{text}" if cells[k] else text
                    boxes[k] = _box(chars)
            full = columns[-1] - columns[0]
            if (
                len(row.cells) == 1
                and spans[0] >= 0.6 * full
                and width >= 3
                and _is_heading_or_note(next(c for c in cells if c))
            ):
                # a title or note printed across the whole grid
                k = next(n for n, c in enumerate(cells) if c)
                self._add(row.page, [cells[k]], False, [boxes[k]])
            elif all(_is_meta_cell(c) for c in cells if c):
                # "编制单位：… | 单位：元" printed inside the grid's frame: the table's head line
                filled = [k for k, c in enumerate(cells) if c]
                self._add(row.page, [cells[k] for k in filled], False, [boxes[k] for k in filled])
            else:
                self._add(row.page, cells, True, boxes)

    def _unruled(self, rows: list[_Row]) -> None:
        bounds = _unruled_columns(rows)
        width = len(bounds) - 1
        for row in rows:
            cells = [""] * width
            boxes: list[BBox | None] = [None] * width
            for piece in row.pieces or []:
                k = max(0, min(width - 1, bisect_left(bounds, piece[0].x0) - 1))
                text = _join(piece)
                cells[k] = f"{cells[k]} {text}" if cells[k] else text
                boxes[k] = _box(piece)
            self._add(row.page, cells, True, boxes)
        self.columns = None

    def _add(self, page: int, cells: list[str], is_table: bool, boxes: list[BBox | None]) -> None:
        self.lines.append(Line(len(self.lines) + 1, page, cells, is_table, boxes))


def _is_heading_or_note(text: str) -> bool:
    """A title, unit line or note printed across a whole grid (not a spanning header cell)."""
    folded = "".join(text.split())
    return bool(
        s.TITLE_LINE.search(folded)
        or s.UNIT_IN_TEXT.search(folded)
        or s.NOTE_LINE.search(folded)
        or s.EMPTY_TABLE_NOTE.search(folded)
    )


# a column this narrow (points) that no row prints in is the gap of a double frame rule
MARGIN_COLUMN = 12.0


def _without_margins(columns: list[float], rows: list[_Row]) -> list[float]:
    """Drop the empty narrow columns a doubled frame rule makes at a grid's edges."""
    occupied = set()
    for row in rows:
        for cut, chars in row.cells.items():
            if chars:
                occupied.add(_nearest(columns, row.cuts[cut]))
    start, end = 0, len(columns) - 1
    while (
        end - start > 2
        and start not in occupied
        and columns[start + 1] - columns[start] < MARGIN_COLUMN
    ):
        start += 1
    while (
        end - start > 2
        and end - 1 not in occupied
        and columns[end] - columns[end - 1] < MARGIN_COLUMN
    ):
        end -= 1
    return columns[start : end + 1]


def _is_meta_cell(text: str) -> bool:
    """A department or unit statement (编制单位：…, 单位：元), not a header cell."""
    folded = "".join(text.split()).replace(":", "：")
    return bool(s.DEPARTMENT_LINE.match(folded) or s.UNIT_LINE.match(folded))


def _nearest(columns: list[float], x: float) -> int:
    i = bisect_left(columns, x)
    if i > 0 and (i == len(columns) or x - columns[i - 1] <= columns[i] - x):
        return i - 1
    return i


def read_pdf(data: bytes, source: str) -> Document:
    """Read a PDF's text layer into the document model.

    Args:
        data: the file's bytes.
        source: file name, used in error messages.

    Returns:
        The document: one line per printed line, table rows with column positions and boxes.

    Raises:
        InputError: the PDF is encrypted, malformed, or has no text layer (OCR is not
            supported), naming the file and, where it applies, the page.
    """
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        reason = str(error)
        if "password" in reason.lower():
            raise InputError(
                source, None, "encrypted PDF: it needs a password, which is not supported"
            ) from None
        raise InputError(source, None, f"malformed PDF: {reason}") from None
    try:
        layout = _Layout()
        notes: list[str] = []
        pages = len(pdf)
        if pages == 0:
            raise InputError(source, None, "malformed PDF: it has no pages")
        empty_pages = []
        for index in range(pages):
            try:
                page = pdf[index]
            except pdfium.PdfiumError as error:
                raise InputError(
                    source, None, f"page {index + 1}: malformed PDF page: {error}"
                ) from None
            try:
                _, height = page.get_size()
                chars = _page_chars(page, height)
                if not chars:
                    empty_pages.append(index + 1)
                    continue
                rules = _page_rules(page, height)
            finally:
                page.close()
            layout.add_page(_layout_page(index + 1, chars, rules))
        lines = layout.lines
        if not lines:
            raise InputError(
                source,
                None,
                f"image-only PDF: none of its {pages} pages has a text layer "
                "(scanned pages need OCR, which is not supported)",
            )
        if empty_pages:
            notes.append(
                f"{len(empty_pages)} of {pages} pages have no text layer (images only, not "
                f"read; OCR is not supported): pages {_ranges(empty_pages)}"
            )
        return Document(lines, pages, "pdf", "binary", notes=notes)
    finally:
        pdf.close()


def _ranges(pages: list[int]) -> str:
    out: list[str] = []
    start = previous = pages[0]
    for p in [*pages[1:], None]:
        if p is not None and p == previous + 1:
            previous = p
            continue
        out.append(f"{start}" if start == previous else f"{start}–{previous}")
        if p is not None:
            start = previous = p
    return ", ".join(out)
