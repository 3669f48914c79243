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
from typing import Any

from loaders import settings as s
from loaders.amounts import fits_landed, is_amount, parse_amount
from loaders.segment import Row, header_paths, is_column_number_row
from loaders.text import compact, fold

NOTES_PER_TABLE = 20
# why a value stays in cells only (the reasons coverage reports, with the notes' details)
SHORT_ROW = "the row prints fewer cells than its header"
NO_UNIT = "an amount, but no unit is printed"
UNREAD = "the labels do not say what it is"
TOO_LARGE = "too large for the landed decimal type"
FORM_REASONS = (SHORT_ROW, NO_UNIT, UNREAD, TOO_LARGE)


def _unit_in(texts: list[str]) -> str | None:
    """The one unit the labels print (``（元）``, ``单位：万元``), None where none or several."""
    units = {
        m.group(1)
        for text in texts
        for m in (s.UNIT_IN_LABEL.search(fold(text)) or s.UNIT_IN_TEXT.search(fold(text)),)
        if m
    }
    return units.pop() if len(units) == 1 else None


def _is_number(cell: str) -> bool:
    return bool(cell) and is_amount(cell)


def _is_header(cells: list[str], continues: bool) -> bool:
    """A row without numbers that heads the rows below it (see the module docstring)."""
    filled = [compact(c) for c in cells if compact(c)]
    if len(filled) < 2 or any(is_amount(c) for c in filled):
        return False
    if any(len(c) > s.FORM_HEADER_CELL_CHARS for c in filled):
        return False  # a sentence is a value (a target, a description), never a column's name
    if any(s.FORM_HEADER_WORD.search(c) for c in filled):
        return True
    return continues and all(len(c) <= s.FORM_HEADER_CONTINUATION_CHARS for c in filled)


def _kind(column_label: str, texts: list[str]) -> str | None:
    for pattern, kind in s.FORM_VALUE_KINDS:
        if re.search(pattern, column_label):
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
        self.labels: list[str] = []  # column labels of the current header block
        self.block: list[Row] = []
        self.block_unit: str | None = None
        self.subject: str | None = None
        self.subject_column: int | None = None
        self.group: str | None = None  # the first column's label, carried down while blank
        self.group_unit: str | None = None
        self.previous_was_header = False

    def header(self, row: Row) -> None:
        self.block = [*self.block, row] if self.previous_was_header else [row]
        width = max(len(r.cells) for r in self.block)
        self.labels = ["/".join(p) for p in header_paths(self.block, width)]
        self.block_unit = _unit_in([c for r in self.block for c in r.cells if c])
        self.subject_column = _subject_column(self.labels)
        self.group = self.group_unit = None
        self.previous_was_header = True

    def text_row(self, row: Row) -> None:
        self.previous_was_header = False
        texts = [c.strip() for c in row.cells if compact(c)]
        if texts and s.FORM_SUBJECT_KEY.match(compact(texts[0])) and len(texts) > 1:
            self.subject = texts[1]
        self._group(row)

    def _group(self, row: Row) -> None:
        first = row.cells[0].strip() if row.cells else ""
        if first and not _is_number(first) and self.subject_column != 0:
            self.group = first
            self.group_unit = _unit_in([c for c in row.cells if c and not _is_number(c)])
        elif first:
            self.group = self.group_unit = None

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
        for each value not typed its line and the reason.
    """
    state = _State(table_unit)
    out: list[dict[str, Any]] = []
    printed = 0
    skipped: list[tuple[int, str]] = []
    for row in rows:
        cells = row.cells
        numbers = [i for i, c in enumerate(cells) if _is_number(c.strip())]
        if numbers and is_column_number_row(cells) and len(numbers) > 2:
            continue  # 1 2 3 … under a header: column numbers
        if not numbers:
            if _is_header(cells, state.previous_was_header):
                state.header(row)
            else:
                state.text_row(row)
            continue
        state.previous_was_header = False
        state._group(row)
        if state.subject_column is not None and state.subject_column < len(cells):
            named = cells[state.subject_column].strip()
            if named and not _is_number(named):
                state.subject = named
        previous = -1
        for index in numbers:
            column_label = state.label(index)
            texts = [
                c.strip()
                for c in cells[previous + 1 : index]
                if compact(c) and not _is_number(c.strip())
            ]
            previous = index
            if s.FORM_CODE_COLUMN.search(column_label) or (
                texts and s.FORM_IDENTIFIER_KEY.search(compact(texts[-1]))
            ):
                continue  # a code or an identifier, not a value
            printed += 1
            cell = cells[index].strip()
            if state.group and texts[:1] != [state.group]:
                texts = [state.group, *texts]  # the row group's label heads every value
            if state.block and len(cells) < len(state.labels):
                skipped.append((row.line, f"'{cell}': {SHORT_ROW}"))
                continue
            kind = _kind(column_label, texts)
            if kind is None:
                skipped.append(
                    (
                        row.line,
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
                    skipped.append((row.line, f"'{cell}': {NO_UNIT}"))
                    continue
                amount = value * factors[unit]
            else:
                unit = _measure_unit(cells, state)
            if not fits_landed(value) or (amount is not None and not fits_landed(amount)):
                skipped.append((row.line, f"'{cell}': {TOO_LARGE}"))
                continue
            leading = texts or [
                c.strip() for c in cells[:index] if compact(c) and not _is_number(c.strip())
            ]
            total = any(s.TOTAL_LABEL.match(compact(c)) for c in cells if c)
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
    for index, cell in enumerate(cells):
        if s.FORM_MEASURE_UNIT_COLUMN.search(state.label(index)) and compact(cell):
            return cell.strip()
    return None
