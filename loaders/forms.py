"""The form families: 绩效目标表, 政府采购 and 购买服务 tables, read cell by cell.

These tables are not a classification with fixed measure columns: a 绩效目标表 is a form (key /
value rows, then a block of indicators under a header of its own), a procurement table a free
list. Every number they print lands in ``form_values`` with what is printed around it:

- the **column label**: the header path of its column, from the header block above it (a row
  without numbers that names a column of values, ``settings.FORM_HEADER_WORD``, and the short
  rows right below it); a form may start a new header block anywhere;
- the **row label**: the text cells left of it (after the previous number of the row), with the
  row group's label (the first column, carried down while blank) in front; the kind of a value
  is read from these alone, so a second value of a row never takes the first one's label (for
  display, a value with no label of its own shows the row's leading labels);
- the **subject**: the project (or unit, transfer, department) the row is about, from a key cell
  (``项目名称 | … | X``) or from the column of names;
- the **kind**: indicator value, weight, quantity, remark (by the column label), or an amount of
  money (the column or the row says so); an amount needs a unit printed in its labels, its
  header block, its row group or the table's head, and is converted to 万元 exactly.

A number whose kind or unit cannot be read this way stays in ``cells`` only, with a note: it is
never given a meaning by its position alone.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

from loaders import settings as s
from loaders.amounts import fits_landed, is_amount, parse_amount
from loaders.segment import (
    Row,
    column_extents,
    has_amount,
    header_paths,
    is_column_number_row,
    printed_twice,
    realign,
)
from loaders.text import compact, fold

NOTES_PER_TABLE = 20
# why a value stays in cells only (the reasons coverage reports, with the notes' details)
SHORT_ROW = "the row prints fewer cells than its header"
NO_UNIT = "an amount, but no unit is printed"
UNREAD = "the labels do not say what it is"
TOO_LARGE = "too large for the landed decimal type"


@lru_cache(maxsize=1 << 12)
def _unit_of(text: str) -> str | None:
    m = s.UNIT_IN_LABEL.search(fold(text)) or s.UNIT_IN_TEXT.search(fold(text))
    return m.group(1) if m else None


def _unit_in(texts: list[str]) -> str | None:
    """The one unit the labels print (``（元）``, ``单位：万元``), None where none or several."""
    units = {unit for text in texts if (unit := _unit_of(text))}
    return units.pop() if len(units) == 1 else None


def _is_number(cell: str) -> bool:
    return bool(cell) and is_amount(cell)


def _numbers(cells: list[str], packed: list[str]) -> list[int]:
    """The positions of the cells that print a number (a printed number ends with a digit)."""
    return [i for i, p in enumerate(packed) if p and p[-1].isdecimal() and is_amount(cells[i])]


@lru_cache(maxsize=1 << 12)
def _names_column(text: str) -> bool:
    return bool(s.FORM_HEADER_WORD.search(text))


def _is_header(packed: list[str], block: list[Row] | None) -> bool:
    """A row without numbers that heads the rows below it (see the module docstring).

    ``packed`` is the row's cells, compact (:func:`loaders.text.compact`); ``block`` the header
    block the row would continue (the rows right above it), or None.
    A continuation row is short words under the block's spans: at least one of its cells sits
    where the block's first row is blank (财政资金 | 其他资金 under 其中：). Rows that print values
    under every column they fill (an indicator row under 一级指标 | 二级指标) are not headers.
    """
    filled = [(i, text) for i, text in enumerate(packed) if text]
    if len(filled) < 2:
        return False
    names = False  # a cell names a column of values
    for _, text in filled:
        if len(text) > s.FORM_HEADER_CELL_CHARS:
            return False  # a sentence is a value (a target, a description), never a column's name
        if text[-1].isdecimal() and is_amount(text):
            return False
        names = names or _names_column(text)
    if s.FORM_SUBJECT_KEY.match(filled[0][1]) and not s.FORM_SUBJECT_KEY.match(filled[1][1]):
        # 项目名称 | X: a key and its value (X may end like a column's name: …专项资金); a header
        # names columns beside it (单位名称 | 项目名称 | 金额)
        return False
    if names:
        return True
    if not block or len(block) >= s.FORM_HEADER_MAX_ROWS:
        return False
    first = block[0].cells
    return all(len(c) <= s.FORM_HEADER_CONTINUATION_CHARS for _, c in filled) and any(
        i >= len(first) or not compact(first[i]) for i, _ in filled
    )


_VALUE_KINDS = [(re.compile(pattern), kind) for pattern, kind in s.FORM_VALUE_KINDS]


def _head(rows: list[Row], packs: list[list[str]]) -> int:
    """How many leading rows are one header block (``packs``: each row's cells, compact).

    The rows above the table's first number, where one of them names a column of values and
    none is a sentence (a form's key / value rows above its first number name no column of
    values: they are no header).
    """
    # segment.header_row_count, on the cells compacted already
    found = (i for i, row in enumerate(rows) if has_amount(row.cells, packs[i]))
    head = next(found, len(rows))
    lead = packs[:head]
    if head < 2 or not any(_is_header(packed, None) for packed in lead):
        return 0
    if any(len(c) > s.FORM_HEADER_CELL_CHARS for packed in lead for c in packed):
        return 0
    return head


@lru_cache(maxsize=1 << 12)
def _kind(column_label: str, texts: tuple[str, ...]) -> str | None:
    for pattern, kind in _VALUE_KINDS:
        if pattern.search(column_label):
            return kind
    if s.FORM_MONEY_WORDS.search(column_label) or any(
        s.FORM_MONEY_WORDS.search(compact(t)) for t in texts
    ):
        return s.FORM_AMOUNT_KIND
    return None


def _subject_column(labels: list[str]) -> int | None:
    for pattern in s.FORM_SUBJECT_COLUMNS:
        for index, label in enumerate(labels):
            if pattern.search(label) and not s.FORM_CODE_COLUMN.search(label):
                return index
    return None


class _State:
    """What the rows above a row tell about it."""

    def __init__(self, table_unit: str | None) -> None:
        self.table_unit = table_unit
        self.block: list[Row] = []  # the rows of the current header block
        # read from the block by settle(), once it is complete (a block can be long):
        self.labels: list[str] = []  # column labels of the current header block
        self.block_unit: str | None = None  # the one unit the block prints
        self.subject_column: int | None = None  # the column of names (项目名称, 单位名称)
        self.measure_unit_columns: list[int] = []  # columns of an indicator's unit of measure
        self.width = 0  # cells in the widest row of the current header block
        self.settled = True  # the block is read
        self.subject: str | None = None
        self.group: str | None = None  # the first column's label, carried down while blank
        self._group_cells: list[str] = []
        self._group_unit: tuple[str | None] | None = None  # the group's unit, once read
        self.previous_was_header = False

    def header(self, row: Row) -> None:
        if self.previous_was_header:
            self.block.append(row)
        else:
            self.block = [row]
        self.settled = False
        self.width = max(self.width if len(self.block) > 1 else 0, len(row.cells))
        self.group = None
        self._group_cells = []
        self.previous_was_header = True

    def settle(self) -> None:
        """Read the current header block (before the first row below it)."""
        width = max(len(r.cells) for r in self.block)
        self.labels = ["/".join(p) for p in header_paths(self.block, width)]
        self.block_unit = _unit_in([c for r in self.block for c in r.cells if c])
        self.subject_column = _subject_column(self.labels)
        self.measure_unit_columns = [
            i for i, label in enumerate(self.labels) if s.FORM_MEASURE_UNIT_COLUMN.search(label)
        ]
        self.settled = True

    def text_row(self, row: Row, packed: list[str]) -> None:
        self.previous_was_header = False
        texts = (i for i, p in enumerate(packed) if p)
        key = next(texts, None)
        if key is not None and s.FORM_SUBJECT_KEY.match(packed[key]):
            value = next(texts, None)
            if value is not None:
                self.subject = row.cells[value].strip()
        self.group_row(row, numbers=[])

    def group_row(self, row: Row, numbers: list[int]) -> None:
        """Carry the row group's label: the first cell, where it is a text.

        ``numbers`` are the positions of the row's numbers.
        """
        first = row.cells[0].strip() if row.cells else ""
        if first and (not numbers or numbers[0] != 0) and self.subject_column != 0:
            self.group = first
            self._group_cells = row.cells
            self._group_unit = None
        elif first:
            self.group = None
            self._group_cells = []
            self._group_unit = None

    @property
    def group_unit(self) -> str | None:
        """The one unit the labels of the row that began the row group print."""
        if self._group_unit is None:
            texts = [c for c in self._group_cells if c and not _is_number(c)]
            self._group_unit = (_unit_in(texts),)
        return self._group_unit[0]

    def label(self, index: int) -> str:
        return self.labels[index] if index < len(self.labels) else ""


def form_rows(
    rows: list[Row], family: str, table_unit: str | None, factors: dict[str, Decimal]
) -> tuple[list[dict[str, Any]], int, list[tuple[int, str]]]:
    """The ``form_values`` rows of one form table.

    Args:
        rows: the table's printed rows (header and body, repeated headers removed).
        family: the table's family (one of ``settings.FORM_VALUE_FAMILIES``).
        table_unit: the unit printed in the table's head, if any.
        factors: unit → factor to 万元 (``settings.UNIT_FACTORS``).

    Returns:
        The typed rows (with ``_col``), the number of values printed (codes not counted), and
        for each value not typed its line, its reason (one of the constants above) and a
        message.
    """
    state = _State(table_unit)
    out: list[dict[str, Any]] = []
    printed = 0
    skipped: list[tuple[int, str, str]] = []
    under: list[Row] = []  # the rows of the current header block and below it
    rows = [r for r in rows if r.cells]
    clipped = {
        id(cut)
        for cut, whole in zip(rows, rows[1:], strict=False)
        if whole.page > cut.page and printed_twice(cut, whole)
    }
    packs = [list(map(compact, r.cells)) for r in rows]
    head = _head(rows, packs)
    for position, row in enumerate(rows):
        if id(row) in clipped:
            continue  # printed again, whole, at the top of the next page: read there
        packed = packs[position]
        if state.block and len(row.cells) < state.width and row.boxes:
            placed = realign(row, column_extents(under, state.width))
            if placed:
                row, packed = placed, list(map(compact, placed.cells))
        under.append(row)
        cells = row.cells
        numbers = _numbers(cells, packed)
        if len(numbers) > 2 and is_column_number_row(cells):
            continue  # 1 2 3 … under a header: column numbers
        if not numbers:
            if position < head or _is_header(
                packed, state.block if state.previous_was_header else None
            ):
                if not state.previous_was_header:
                    under = [row]
                state.header(row)
            else:
                if not state.settled:
                    state.settle()
                state.text_row(row, packed)
            continue
        if not state.settled:
            state.settle()
        state.previous_was_header = False
        state.group_row(row, numbers)
        if state.subject_column is not None and state.subject_column < len(cells):
            named = cells[state.subject_column].strip()
            if named and state.subject_column not in numbers:
                state.subject = named
        previous = -1
        before: list[str] = []  # the text cells left of the current number
        total: bool | None = None  # a 合计 row (read once per row)
        for index in numbers:
            column_label = state.label(index)
            # the text cells between the previous number and this one (no number by definition)
            texts = [cells[j].strip() for j in range(previous + 1, index) if packed[j]]
            before.extend(texts)
            previous = index
            if s.FORM_CODE_COLUMN.search(column_label) or (
                texts and s.FORM_IDENTIFIER_KEY.search(compact(texts[-1]))
            ):
                continue  # a code or an identifier, not a value
            printed += 1
            cell = cells[index].strip()
            if state.group and texts[:1] != [state.group]:
                texts = [state.group, *texts]  # the row group's label heads every value
            if state.block and len(cells) < state.width:
                skipped.append((row.line, SHORT_ROW, f"'{cell}': {SHORT_ROW}"))
                continue
            kind = _kind(column_label, tuple(texts))
            if kind is None:
                skipped.append(
                    (
                        row.line,
                        UNREAD,
                        f"'{cell}': {UNREAD} (column: {column_label or 'no header'}; row: "
                        f"{' / '.join(texts) or 'no label'})",
                    )
                )
                continue
            value = parse_amount(cell, Decimal(1))
            amount = None
            unit = None
            if kind == s.FORM_AMOUNT_KIND:
                unit = (
                    _unit_in([*texts, column_label])
                    or state.group_unit
                    or state.block_unit
                    or state.table_unit
                )
                if unit is None:
                    skipped.append((row.line, NO_UNIT, f"'{cell}': {NO_UNIT}"))
                    continue
                amount = value * factors[unit]
            elif kind == "indicator":  # the row's unit of measure is its target's, no other's
                unit = _measure_unit(cells, state)
            if not fits_landed(value) or (amount is not None and not fits_landed(amount)):
                skipped.append((row.line, TOO_LARGE, f"'{cell}': {TOO_LARGE}"))
                continue
            leading = texts or before
            if total is None:
                total = any(s.TOTAL_LABEL.match(p) for p in packed if p)
            out.append(
                {
                    "source_line": row.line,
                    "source_page": row.page,
                    "family": family,
                    "subject": state.subject,
                    "row_label": " / ".join(leading) or None,
                    "column_label": column_label or None,
                    "row_role": "total" if total else "item",
                    "value_kind": kind,
                    "unit_as_printed": unit,
                    "printed_number": value,
                    "amount": amount,
                    "value_as_printed": cell,
                    "_col": index,
                }
            )
    return out, printed, skipped


def _measure_unit(cells: list[str], state: _State) -> str | None:
    for index in state.measure_unit_columns:
        if index < len(cells) and compact(cells[index]):
            return cells[index].strip()
    return None
