"""Segmentation: the document model → tables (title, unit, department line, rows with lines).

A table is a run of table rows of the document model (:mod:`loaders.model`). Its title is the
nearest title-like text line before it; unit (``单位：万元``) and department (``编制部门：…``)
lines sit between the title and the rows. A page break repeats the title and/or unit lines and
often the header rows: such a part is merged back into the table it continues (repeated header
rows are dropped from the body but kept as printed cells).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from loaders import settings as s
from loaders.model import BBox, Document, Line
from loaders.text import compact, fold


@dataclass(slots=True)
class Row:
    """One printed table row: its cells, 1-based source line number, page and cell boxes."""

    cells: list[str]
    line: int
    repeated: bool = False  # a header row repeated after a page break
    part_start: bool = False  # first row printed after a page break
    page: int = 1
    boxes: list[BBox | None] | None = None
    packed: bool = False  # cells in printed order, empty cells gone (see loaders.packed)
    regrouped: bool = False  # cells printed one per line, put together by the reader
    # a row rebuilt under its table's columns (loaders.packed): column -> column printed in
    origin: dict[int, int] | None = None

    @property
    def key(self) -> tuple[str, ...]:
        """The compact cells without trailing empties, for comparing repeated headers."""
        cells = [compact(c) for c in self.cells]
        while cells and not cells[-1]:
            cells.pop()
        return tuple(cells)


@dataclass
class Table:
    """A table as printed, page-break parts merged."""

    index: int
    title_as_printed: str
    title: str
    family: str
    budget_scope: str | None
    is_carryover: bool
    unit_as_printed: str | None
    department_line: str | None
    rows: list[Row] = field(default_factory=list)
    n_parts: int = 1
    notes: list[str] = field(default_factory=list)

    @property
    def first_line(self) -> int:
        """Line of the first row."""
        return self.rows[0].line

    @property
    def last_line(self) -> int:
        """Line of the last row."""
        return self.rows[-1].line

    @property
    def printed_rows(self) -> list[Row]:
        """Rows without page-break repeats of the header."""
        return [r for r in self.rows if not r.repeated]


def clean_title(line: str) -> str:
    """Strip markdown/HTML decoration from a title line, keep the printed words."""
    text = re.sub(r"</?b>|\*\*|^#+\s*", "", line.strip())
    return text.strip(" *#-")


@lru_cache(maxsize=4096)
def normalise_title(line: str) -> str:
    """Title as matched against aliases: no table number, ordinal, year, markup or spaces."""
    text = compact(clean_title(line))
    text = s.TITLE_PREFIX.sub("", text)
    text = s.YEAR_PREFIX.sub("", text)
    return text


@lru_cache(maxsize=4096)
def classify_title(title: str) -> tuple[str, str | None, bool]:
    """Family, budget scope and carry-over flag of a normalised title (see settings)."""
    title = s.TITLE_EXCLUSION.sub("", title)  # "(不含上年结转)" says what the table is not
    bare = s.TITLE_QUALIFIER.sub("", title)
    carryover = bool(s.CARRYOVER_TITLE.search(title))
    for family, pattern, unless in s.TITLE_RULES:
        if not re.search(pattern, title) or (unless and re.search(unless, title)):
            continue
        scope = None
        if family in s.SCOPED_FAMILIES:
            scope = next((v for p, v in s.SCOPE_WORDS if re.search(p, bare)), "all_funds")
        elif family == "state_capital":
            scope = "state_capital"
        return family, scope, carryover
    return "unrecognised", None, carryover


@lru_cache(maxsize=1 << 14)
def is_title_line(line: str) -> bool:
    """A text line that names a table (ends with 表/情况表/目录, maybe with a qualifier)."""
    text = compact(clean_title(line))
    if s.TOC_TITLE.match(text):
        return True
    if len(text) < 4 or len(text) > 70 or s.DOT_LEADER.search(line):
        return False
    if re.search(r"[。；;，,]", text):
        return False
    return bool(s.TITLE_LINE.search(text))


_WORD = re.compile(r"[^\W_]")


def _is_fragment(line: str) -> bool:
    """A short piece of text without sentence punctuation (a cell's text cut by the print)."""
    text = compact(line)
    return len(text) <= 12 and not re.search(r"[。；;：:，,、]", text)


def _is_meta(line: str) -> bool:
    text = compact(clean_title(line))
    return bool(
        s.UNIT_LINE.match(compact(line))
        or s.DEPARTMENT_LINE.match(compact(line))
        or s.EMPTY_LABEL_LINE.match(text)
        or not _WORD.search(text)  # punctuation printed on a line of its own
        or s.TABLE_META_LINE.match(text)
        or not text
    )


@dataclass
class _Block:
    rows: list[Row]
    before: list[tuple[int, str]]  # text lines between the previous block and this one
    after: list[tuple[int, str]] = field(default_factory=list)


def _blocks(lines: list[Line]) -> list[_Block]:
    blocks: list[_Block] = []
    pending: list[tuple[int, str]] = []
    current: list[Row] | None = None
    for line in lines:
        if line.is_table and _is_title_row(line.cells):
            # a title printed inside a grid's frame (the next table's, on the next page) ends
            # the table before it: it is never a row of it
            current = None
            pending.append((line.number, " ".join(c for c in line.cells if c.strip())))
        elif line.is_table:
            if current is None:
                current = []
                blocks.append(_Block(current, pending))
                pending = []
            current.append(
                Row(
                    line.cells,
                    line.number,
                    False,
                    False,
                    line.page,
                    line.boxes,
                    line.packed,
                    line.regrouped,
                )
            )
        elif not line.text.strip():
            continue
        else:
            current = None
            pending.append((line.number, line.text))
    # text lines after each block (for notes such as 本表无数据) are the next block's "before"
    for i, block in enumerate(blocks):
        block.after = blocks[i + 1].before if i + 1 < len(blocks) else pending
    return blocks


def _is_title_row(cells: list[str]) -> bool:
    """A grid row that prints nothing but a table title of a known family, in one cell.

    (A table of contents prints its titles beside a number or a page: two cells or more.)
    """
    filled = ""
    for cell in cells:  # a loop over every table line of a document: no lists built
        if cell and not cell.isspace():
            if filled:
                return False
            filled = cell
    if not filled or has_amount([filled]):
        return False
    return is_title_line(filled) and classify_title(normalise_title(filled))[0] not in (
        "unrecognised",
        "contents",
    )


def _header_rows_repeated(table: Table, rows: list[Row]) -> int:
    """How many leading rows of a continuation repeat the table's first rows."""
    count = 0
    for old, new in zip(table.printed_rows, rows, strict=False):
        if old.key != new.key:
            break
        count += 1
    return count


def is_column_number_row(cells: list[str]) -> bool:
    """A header row that numbers the columns (``1 2 3 …``, ``※``/``**`` in label columns)."""
    # a marker cell (※, **) is never all digits: the digits are the compact cells that are
    digits = [k for k in map(compact, cells) if k.isdigit()]
    if len(digits) < 2 or len(digits[-1]) > 2:
        return False  # a table has fewer than 100 columns: 301 | 302 are two codes
    return [int(d) for d in digits] == list(range(int(digits[0]), int(digits[0]) + len(digits)))


def has_amount(cells: list[str], packed: list[str] | None = None) -> bool:
    """True if the row prints at least one number that is not a column number.

    ``packed``: the cells compacted (:func:`loaders.text.compact`), where the caller has them.
    """
    amounts = [k for k in (packed or map(compact, cells)) if k and s.AMOUNT.match(k)]
    if not amounts:
        return False
    # only a row with two whole numbers or more can be a column-number row
    return sum(1 for k in amounts if k.isdigit()) < 2 or not is_column_number_row(cells)


def header_paths(header: list[Row], ncols: int) -> list[list[str]]:
    """Header path of every column: spanning labels carried right within their parent span."""
    grid = [
        [compact(c) for c in row.cells] + [""] * (ncols - len(row.cells))
        for row in header
        if not is_column_number_row(row.cells)
    ]
    filled: list[list[str]] = []
    for r, row in enumerate(grid):
        out: list[str] = []
        for c in range(ncols):
            cell = "" if s.MARKER_CELL.match(row[c] or "-x") else row[c]
            boundary = any(grid[above][c] for above in range(r))
            if cell:
                out.append(cell)
            elif c > 0 and out[c - 1] and not boundary:
                out.append(out[c - 1])
            else:
                out.append("")
        filled.append(out)
    paths = []
    for c in range(ncols):
        path: list[str] = []
        for row in filled:
            if row[c] and (not path or path[-1] != row[c]):
                path.append(row[c])
        paths.append(path)
    return paths


def column_extents(rows: list[Row], width: int) -> list[tuple[float, float] | None]:
    """The x-extent of each of a table's columns: the union of its cells' boxes (PDF input).

    Only rows of the table's full ``width`` count, and of a long text beside a blank cell only
    its start: a sentence in a merged cell would widen its column over its neighbours. A column
    no such cell prints is None. Pass the rows under one header: a form's sections have grids
    of their own.
    """
    extents: list[tuple[float, float] | None] = [None] * width
    for row in rows:
        if len(row.cells) != width or not row.boxes:
            continue
        for col, box in enumerate(row.boxes):
            if box is None or not row.cells[col].strip():
                continue
            text = compact(row.cells[col])
            x0, x1 = box[0], box[2]
            if (
                col + 1 < width
                and not row.cells[col + 1].strip()
                and len(text) > SHORT_CELL_CHARS
                and not s.AMOUNT.match(text)
            ):
                x1 = x0  # a long text may span the blank cell right of it: its start only
            old = extents[col]
            extents[col] = (x0, x1) if old is None else (min(old[0], x0), max(old[1], x1))
    return extents


# a text cell this short never spans two columns (a label, a unit, a target like ≥95%)
SHORT_CELL_CHARS = 8
# how far (points) a cell's centre may lie outside a column's extent and still be in it
COLUMN_TOLERANCE = 2.0


def realign(row: Row, extents: list[tuple[float, float] | None]) -> Row | None:
    """A row printed with fewer cells than its table, placed under the table's columns.

    A page whose ruling merges cells (a table continued on the next page, a merged 指标值 cell)
    gives its rows fewer cells than the header. Each cell is placed by the centre of its box in
    the column extents of the table's full rows (:func:`column_extents`); a text cell outside
    every extent takes the free column between its neighbours. Where a number falls in no
    column or in two, two cells fall in one, a text cell finds no free column, or the order of
    the cells would change, the row is ambiguous: None (never a guess by position).
    """
    if not row.boxes:
        return None
    width = len(extents)
    cells = [""] * width
    boxes: list[BBox | None] = [None] * width
    placed: list[int | None] = []  # each printed cell's column, None until its neighbours'
    aside: list[tuple[str, BBox]] = []  # the text cells outside every extent, in order
    for cell, box in zip(row.cells, row.boxes, strict=False):
        if not cell.strip():
            continue
        if box is None:
            return None
        centre = (box[0] + box[2]) / 2
        hits = [
            c
            for c, e in enumerate(extents)
            if e and e[0] - COLUMN_TOLERANCE <= centre <= e[1] + COLUMN_TOLERANCE
        ]
        if len(hits) == 1 and not cells[hits[0]]:
            cells[hits[0]], boxes[hits[0]] = cell, box
            placed.append(hits[0])
        elif hits or s.AMOUNT.match(compact(cell)):
            return None
        else:
            placed.append(None)
            aside.append((cell, box))
    pending = iter(aside)
    for position, col in enumerate(placed):
        if col is not None:
            continue
        before = max((c for c in placed[:position] if c is not None), default=-1)
        after = min((c for c in placed[position + 1 :] if c is not None), default=width)
        free = [c for c in range(before + 1, after) if not cells[c]]
        if len(free) != 1:
            return None  # no column for it, or a choice: never a guess
        cells[free[0]], boxes[free[0]] = next(pending)
        placed[position] = free[0]
    if placed != sorted(placed) or len(set(placed)) != len(placed):
        return None
    return replace(row, cells=cells, boxes=boxes)


def printed_twice(cut: Row, whole: Row) -> bool:
    """Is ``cut`` (a page's last row) a clipped copy of ``whole`` (the next page's first row)?

    Some PDF generators clip a row that does not fit at the foot of a page and print it again,
    whole, at the top of the next (the clipped copy often in fewer cells): its numbers are the
    whole row's first numbers, in order, and its texts are parts of the whole row's texts.
    """
    if whole.page != cut.page + 1:
        return False
    numbers = [c for c in map(compact, cut.cells) if s.AMOUNT.match(c)]
    whole_numbers = [c for c in map(compact, whole.cells) if s.AMOUNT.match(c)]
    if not numbers or whole_numbers[: len(numbers)] != numbers:
        return False
    texts = [c for c in map(compact, cut.cells) if c and not s.AMOUNT.match(c)]
    whole_text = "".join(compact(c) for c in whole.cells)
    return bool(texts) and all(text in whole_text for text in texts)


def header_row_count(rows: list[Row]) -> int:
    """Leading rows that print no amount: the header (column-number rows included)."""
    count = 0
    for row in rows:
        if has_amount(row.cells):
            break
        count += 1
    return count


def segment(document: Document) -> list[Table]:
    """Split a document into tables.

    Args:
        document: the document model a reader produced.

    Returns:
        Tables in printed order, page-break parts merged, with title, family and unit.
    """
    tables: list[Table] = []
    for block in _blocks(document.lines):
        title_line: str | None = None
        unit: str | None = None
        department: str | None = None
        narrative = False
        for _, line in reversed(block.before):
            folded = fold(line)
            if unit is None and (m := s.UNIT_IN_TEXT.search(folded)):
                unit = m.group(1)
            if s.UNIT_LINE.match(compact(folded)):
                continue
            if department is None and (m := s.DEPARTMENT_LINE.match(compact(folded))):
                department = m.group("name").strip()
                continue
            if m := s.DEPARTMENT_LINE.match(compact(folded)):
                continue
            if _is_meta(line):
                continue
            if is_title_line(line):
                title_line = line
            elif _is_fragment(line):
                continue  # a piece of a cell's text printed outside its grid: not a paragraph
            else:
                narrative = True
            break
        previous = tables[-1] if tables else None
        if (
            title_line is None
            and narrative
            and previous is not None
            and previous.family in s.FORM_FAMILIES
            and previous.title
            and block.rows[0].page - previous.rows[-1].page <= 1
        ):
            # text between two parts of an untyped form (a 绩效目标表 whose cell text spills out
            # of its grid) does not end it: nothing of it is typed, and an untitled fragment
            # would read as an unrecognised table
            narrative = False
        if title_line is None and not narrative and previous is not None:
            title_key = previous.title
        elif title_line is not None:
            title_key = normalise_title(title_line)
        else:
            title_key = None
        page_break = title_line is None and not narrative
        if (
            previous is not None
            and title_key == previous.title
            and (page_break or _continues(previous, block))
        ):
            repeated = _header_rows_repeated(previous, block.rows)
            if repeated:
                # the rest of a repeated header may be printed differently (column numbers moved)
                repeated = max(
                    repeated,
                    min(header_row_count(block.rows), header_row_count(previous.printed_rows)),
                )
            for i, row in enumerate(block.rows):
                row.repeated = i < repeated
                row.part_start = i == repeated
            previous.rows.extend(block.rows)
            previous.n_parts += 1
            previous.notes.extend(_notes(block.after))
            continue
        printed = clean_title(title_line) if title_line else ""
        title = title_key or ""
        family, scope, carryover = classify_title(title) if title else ("unrecognised", None, False)
        if not title and narrative:
            # a table printed inside the narrative (说明) without a title of its own: a list of
            # the budget units, the key projects; its cells land, nothing of it is typed
            family = "narrative_table"
        tables.append(
            Table(
                index=len(tables),
                title_as_printed=printed,
                title=title,
                family=family,
                budget_scope=scope,
                is_carryover=carryover,
                unit_as_printed=unit,
                department_line=department,
                rows=block.rows,
                notes=_notes(block.after),
            )
        )
    return tables


def _continues(table: Table, block: _Block) -> bool:
    """Is this block a page-break continuation of ``table`` (rather than a new table)?

    Same title, and either it repeats the table's first rows (header repeat: it must repeat at
    least two rows when the table has two, so that two instances of a form with the same title
    and first row are kept apart), or its first row does not start like the table's first row.
    """
    first_rows = table.printed_rows
    repeated = _header_rows_repeated(table, block.rows)
    if repeated >= min(2, len(first_rows), len(block.rows)) and repeated > 0:
        return True
    # a table of a typed family printed on, past a page break, under its repeated title and
    # header (a form printed once per project, untyped, keeps its instances apart)
    if (
        repeated > 0
        and table.family in s.TYPED_FAMILIES
        and block.rows[0].page > table.rows[-1].page
    ):
        return True
    old, new = first_rows[0].key, block.rows[0].key
    return not (old and new and old[0] and old[0] == new[0])


def _notes(lines: list[tuple[int, str]]) -> list[str]:
    notes = []
    for _, line in lines[:2]:
        if is_title_line(line):
            break
        if s.EMPTY_TABLE_NOTE.search(line):
            notes.append(line.strip())
    return notes


@dataclass(frozen=True)
class TocEntry:
    """A table listed by the document's table of contents."""

    line: int
    title_as_printed: str
    title: str
    family: str
    budget_scope: str | None
    is_carryover: bool


def table_of_contents(text: str, first_table_line: int | None) -> list[TocEntry]:
    """Tables the document's table of contents lists (lines before the first table).

    Args:
        text: the decoded document text.
        first_table_line: line of the first recognised table; TOC lines come before it.

    Returns:
        One entry per distinct listed table title.
    """
    entries: list[TocEntry] = []
    styles: list[str] = []  # how each entry is numbered
    seen: set[str] = set()
    for number, line in enumerate(text.split("\n"), start=1):
        if first_table_line is not None and number >= first_table_line:
            break
        if "表" not in line:  # every listed title ends in 表
            continue
        m = s.TOC_LINE.match(_toc_text(line))
        if not m:
            continue
        printed = s.DOT_LEADER.split(m.group("title"))[0].strip()
        if not is_title_line(printed):
            continue
        title = normalise_title(printed)
        family, scope, carryover = classify_title(title)
        if title in seen:
            continue
        seen.add(title)
        entries.append(TocEntry(number, printed, title, family, scope, carryover))
        styles.append(_numbering(m.group("ordinal")))
    # the part that holds the tables (五、部门预算表) is a heading, not a table, where the tables
    # listed after it are numbered another way (1. …表: its tables) or none is listed (an
    # outline: 一、部门主要职能 …); numbered like the tables beside it, it is one of them
    kept = []
    for k, entry in enumerate(entries):
        after = next(
            (styles[n] for n in range(k + 1, len(entries)) if entries[n].family != "contents"), None
        )
        if entry.family != "contents" or after == styles[k]:
            kept.append(entry)
    return kept


def _toc_text(line: str) -> str:
    """A line as a table of contents prints it: cells joined, a trailing page number dropped."""
    cells = [c.strip() for c in line.split("\t") if c.strip()]
    while len(cells) > 1 and re.fullmatch(r"[-—–]*\d{1,3}[-—–]*", cells[-1]):
        cells.pop()
    return clean_title(" ".join(cells))


def _numbering(ordinal: str) -> str:
    """The kind of numbering of a TOC entry: 表N, 一、, （一）, or 1."""
    text = compact(ordinal)
    if text.startswith("表"):
        return "table"
    if text.startswith("("):
        return "parenthesised"
    return "arabic" if text[0].isdigit() else "chinese"
