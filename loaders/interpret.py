"""Interpretation: one segmented table → typed rows of its family, plus coverage and notes.

Every typed row is one printed numeric cell: ``measure`` names its column (vocabularies in
:mod:`loaders.settings`), ``amount`` is the exact value in 万元, ``amount_as_printed`` the text.
Nothing is corrected: a row that disagrees with its total lands as printed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any

from loaders import packed
from loaders import settings as s
from loaders.amounts import fits_landed, is_amount, parse_amount
from loaders.forms import NOTES_PER_TABLE, form_rows
from loaders.segment import (
    Row,
    Table,
    has_amount,
    header_paths,
    header_row_count,
    is_column_number_row,
)
from loaders.text import compact, fold


@dataclass
class Context:
    """What interpretation needs to know about the document."""

    document_id: str
    source_file: str
    department_names: list[str]
    disclosure_kind: str | None = None
    fiscal_year: int | None = None


@dataclass
class Note:
    """Something the parser noticed about a table (see dataset ``parse_notes``)."""

    severity: str
    code: str
    message: str
    line: int | None = None


@dataclass
class TableResult:
    """Everything one table lands."""

    table_id: str
    dataset: str | None
    rows: list[dict[str, Any]] = field(default_factory=list)
    cells: list[tuple[Any, ...]] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    header_text: str = ""
    is_empty: bool = False
    empty_note: str | None = None
    layout_note: str | None = None
    numeric_printed: int = 0
    numeric_landed: int = 0
    numeric_twice: int = 0
    n_body_rows: int = 0
    factor: Decimal = Decimal(1)
    not_typed: str | None = None  # why a table's numbers are kept in cells only
    incomplete_reason: str | None = None  # why some of a typed table's numbers are in cells only
    positions: set[tuple[int, int]] = field(default_factory=set)  # (line, column) landed
    # lines and columns of another year's figures or of a change, kept in cells on purpose
    other_year_lines: set[int] = field(default_factory=set)
    other_year_columns: set[int] = field(default_factory=set)
    numeric_other_year: int = 0
    # (line, column) of amounts whose column arithmetic did not decide: printed, kept in cells
    kept_out: set[tuple[int, int]] = field(default_factory=set)
    # rows a table lands in another family's dataset (a 机关运行经费 column of a 三公 table)
    extra: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass
class Column:
    """One column of a table: its header path and, for amount columns, its measure."""

    index: int
    path: list[str]
    measure: str | None = None
    is_label: bool = False

    @property
    def path_text(self) -> str:
        """Header path joined with '/'."""
        return "/".join(self.path)


# ----------------------------------------------------------------------------- helpers


def _is_code(cell: str) -> bool:
    """Digits in a label column: a code (or a misprinted one, e.g. ``7`` for ``210``), no amount."""
    text = compact(cell)
    return text.isdigit() and len(text) != 4


def _is_text(cell: str) -> bool:
    text = compact(cell)
    return bool(text) and not is_amount(text) and not s.MARKER_CELL.match(text)


@cache
def _compiled(rules: tuple[tuple[str, str], ...]) -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(pattern), value) for pattern, value in rules]


@lru_cache(maxsize=1 << 14)
def _match_cached(rules: tuple[tuple[str, str], ...], text: str) -> str | None:
    for pattern, value in _compiled(rules):
        if pattern.search(text):
            return value
    return None


def _match(rules: list[tuple[str, str]], text: str) -> str | None:
    return _match_cached(tuple(rules), text)


def header_signature(header: list[Row]) -> str:
    """The compact header text used as key of ``settings.HEADER_OVERRIDES``."""
    rows = []
    for row in header:
        cells = [compact(c) for c in row.cells]
        while cells and not cells[-1]:
            cells.pop()
        rows.append(",".join(cells))
    return "|".join(rows)


def _is_separator(cells: list[str]) -> bool:
    # every cell only rules and markers: so is their concatenation (one strip, not one a cell)
    return not "".join(cells).strip(" -—*※\u3000")


def _is_tail(cell: str) -> bool:
    """Text that can only be the end of a name cut by a page break (short, no ordinal/code)."""
    text = fold(cell)
    return (
        _is_text(cell)
        and len(compact(text)) <= 8
        and not s.CHINESE_ORDINAL.match(text)
        and not text[:1].isdigit()
        and not s.TOTAL_LABEL.match(compact(text))
    )


def _is_department(name: str, ctx: Context) -> bool:
    text = compact(name)
    if len(text) < 4:
        return False
    return any(d.startswith(text) or text.startswith(d) for d in ctx.department_names)


def _merge_split_rows(body: list[Row], result: TableResult) -> list[Row]:
    """Join a cell continued after a page break (a row printing only the tail of a name)."""
    merged: list[Row] = []
    for row in body:
        filled = [(i, c) for i, c in enumerate(row.cells) if compact(c)] if row.part_start else []
        if (
            merged
            and row.part_start
            and not has_amount(row.cells)
            and has_amount(merged[-1].cells)
            and len(filled) == 1
            and _is_tail(filled[0][1])
        ):
            col, tail = filled[0]
            previous = merged[-1]
            if col < len(previous.cells) and _is_text(previous.cells[col]):
                cells = list(previous.cells)
                cells[col] = previous.cells[col].rstrip() + tail.strip()
                merged[-1] = replace(previous, cells=cells)
                result.notes.append(
                    Note(
                        "info",
                        "row_continued",
                        f"'{tail.strip()}' on line {row.line} continues '{previous.cells[col]}' "
                        f"from line {previous.line} across a page break",
                        row.line,
                    )
                )
                continue
        merged.append(row)
    return merged


# ----------------------------------------------------------------------------- entry point


def interpret(table: Table, ctx: Context) -> TableResult:
    """Interpret one table: typed rows (recognised families), printed cells, coverage, notes.

    Args:
        table: a segmented table.
        ctx: the document context.

    Returns:
        The table's landed rows and its accounting.
    """
    from loaders.schema import TYPED_FAMILY_DATASETS

    table_id = f"{ctx.document_id}-t{table.index:02d}"
    family = table.family
    dataset = TYPED_FAMILY_DATASETS.get(family)
    result = TableResult(table_id=table_id, dataset=dataset)
    typed = family in s.TYPED_FAMILIES
    # rows printing nothing but rules (------) or markers are page-conversion debris
    printed = [r for r in table.rows if not r.repeated and not _is_separator(r.cells)]
    n_header = header_row_count(printed) if typed else min(1, len(printed))
    header, body = printed[:n_header], printed[n_header:]
    unit = table.unit_as_printed or _unit_in_rows(header)
    result.factor = s.UNIT_FACTORS[unit] if unit else Decimal(1)
    body = _merge_split_rows(body, result)
    result.n_body_rows = len(body)
    result.header_text = header_signature(header)
    ncols = max((len(r.cells) for r in printed), default=0)
    if typed and _lost_header_cells(header):
        for row in printed:  # text split into cells without its empty ones: see loaders.packed
            row.packed = True
    is_packed = any(r.packed for r in printed)
    # a packed row's cells are in printed order, not under columns: no header path by position
    paths = [] if is_packed else header_paths(header, ncols)

    _land_cells(table, header, paths, result, ctx.document_id)
    if not body or not any(has_amount(r.cells) for r in body):
        result.is_empty = True
        result.empty_note = "; ".join(table.notes) or (
            "header only, no rows" if not body else "no amounts printed"
        )
        return result
    if family in s.FORM_VALUE_FAMILIES and is_packed:
        result.numeric_printed = _count_numeric(body)
        result.not_typed = (
            "a form printed without its empty cells: which label a value is of is not printed"
        )
        return result
    if family in s.FORM_VALUE_FAMILIES and ctx.disclosure_kind != "final_accounts":
        _form_values(printed[:n_header] + body, family, unit, ctx, result)
        return result
    if not typed:
        result.numeric_printed = _count_numeric(body)
        result.not_typed = (
            "unrecognised table" if family == "unrecognised" else f"{family} tables are not typed"
        )
        return result
    held = _held_back(ctx.disclosure_kind, unit, result.header_text, family)
    if held:  # the table is read, but none of its amounts may be typed
        severity, code, message, reason = held
        result.notes.append(Note(severity, code, message, table.first_line))
        _account(body, _columns(family, header, paths, ncols, result, body), result)
        result.not_typed = reason
        return result

    groups = 1 if is_packed else _column_groups(paths, family)
    if is_packed:
        placed = _place_packed(table, header, body, result)
        if placed is None:
            result.numeric_printed = _count_numeric(body)
            return result
        columns, body = placed
    elif groups == 1:
        columns = _columns(family, header, paths, ncols, result, body)
        body = _place_short_rows(table, columns, ncols, body, result)
    if groups > 1:
        rows, columns = _grouped_rows(table, header, paths, body, groups, ctx, result)
    else:
        rows = _PARSERS[family](table, body, columns, ctx, result)
    rows = _drop_other_years(rows, columns, ctx, result)
    for row in rows:
        row.setdefault("document_id", ctx.document_id)
        row.setdefault("table_id", table_id)
    for extra_rows in result.extra.values():
        for row in extra_rows:
            row.setdefault("document_id", ctx.document_id)
            row.setdefault("table_id", table_id)
    result.rows = _fitting(rows, result)
    result.extra = {name: _fitting(extra, result) for name, extra in result.extra.items()}
    _account(body, columns, result)
    return result


def _lost_header_cells(header: list[Row]) -> bool:
    """Has text split into cells lost the header's empty cells (rows of unequal widths)?

    Tab-separated text that keeps every cell prints each header row as wide as the table; a
    conversion that drops the empty ones prints ``项目 | 支出预算`` above ``类 | 款 | 项``. (A PDF's
    rows have boxes: the reader placed them.)
    """
    if len(header) < 2 or any(r.boxes for r in header):
        return False
    return len({len(row.cells) for row in header}) > 1


def _place_short_rows(
    table: Table, columns: list[Column], ncols: int, body: list[Row], result: TableResult
) -> list[Row]:
    """Rows of a text table printed with fewer cells than the table: placed by arithmetic.

    Under a header that prints every column, a row of tab-separated text that lost its empty
    cells has its amounts in printed order, not under their columns. In a table of codes
    (function, economic, revenue) they are placed by the table's identities and hierarchy
    (:func:`loaders.packed.place_short`); in any other family the row's amounts stay in cells,
    with a note: never a positional guess.
    """
    if any(r.boxes for r in body):
        return body  # a PDF's rows: the reader placed their cells by their boxes
    short = [r for r in body if len(r.cells) < ncols and has_amount(r.cells)]
    if not short:
        return body
    if table.family not in packed.CODE_FAMILIES:
        out = []
        for row in body:
            if row in short:
                result.notes.append(
                    Note(
                        "warning",
                        "short_row",
                        f"{len(row.cells)} cells for {ncols} columns: which column each amount "
                        "is in is not printed; kept in cells",
                        row.line,
                    )
                )
                row = replace(row, cells=[""] * ncols + list(row.cells))
            out.append(row)
        return out
    measures = [(c.index, c.measure, c.path_text) for c in columns if c.measure]
    measured = [m for _, m, _ in measures]
    if len(set(measured)) < len(measured) or not measures:
        return body  # several columns of one measure (by source): kept as printed
    labels = [c.index for c in columns if c.is_label]
    levels = list(_code_level_columns(columns).values())
    placed = packed.place_short(result.dataset or "", measures, labels, levels, body)
    result.notes += [Note(*note) for note in placed.notes]
    result.kept_out |= placed.kept
    return placed.rows


def _place_packed(
    table: Table, header: list[Row], body: list[Row], result: TableResult
) -> tuple[list[Column], list[Row]] | None:
    """Columns and placed rows of a table printed in packed rows (:mod:`loaders.packed`).

    None where its columns cannot be placed: the table's numbers stay in cells, with the reason.
    """
    family = table.family
    if any(r.regrouped for r in body):
        result.not_typed = (
            "cells printed one per line: which of them make one row is not printed, so no "
            "amount's row and column is known"
        )
        return None
    if family not in packed.CODE_FAMILIES:
        result.not_typed = (
            f"{family} tables printed without their empty cells are not placed by arithmetic"
        )
        return None
    head = packed.header(family, header)
    if head.problem:
        result.not_typed = f"packed rows: {head.problem}"
        result.notes.append(Note("warning", "packed_header", head.problem, table.first_line))
        return None
    placed = packed.place(family, result.dataset or "", head, body)
    result.notes += [Note(*note) for note in placed.notes]
    result.kept_out |= placed.kept
    columns = [Column(i, [label], is_label=True) for i, label in enumerate(packed.LEVEL_LABELS)]
    columns.append(Column(len(columns), ["名称"], is_label=True))
    start = len(columns)
    measures, texts = head.orders()[-1]
    columns += [
        Column(start + i, [text], measure=measure)
        for i, (text, measure) in enumerate(zip(texts, measures, strict=True))
    ]
    return columns, placed.rows


def _form_values(
    rows: list[Row], family: str, unit: str | None, ctx: Context, result: TableResult
) -> None:
    """A form family's values (see :mod:`loaders.forms`), counted like a typed table's."""
    typed, printed, skipped = form_rows(rows, family, unit, s.UNIT_FACTORS)
    result.dataset = "form_values"
    result.rows = []
    for row in typed:
        row["document_id"] = ctx.document_id
        row["table_id"] = result.table_id
        row["col_index"] = row.pop("_col")
        result.positions.add((row["source_line"], row["col_index"]))
        result.rows.append(row)
    result.numeric_printed = printed
    result.numeric_landed = len(typed)
    reasons = Counter(reason for _, reason, _ in skipped)
    if reasons:
        result.incomplete_reason = "; ".join(f"{r} ({n})" for r, n in reasons.most_common())
    for line, _, message in skipped[:NOTES_PER_TABLE]:
        result.notes.append(
            Note("error", "cell_not_landed", f"{message}: kept in cells only", line)
        )


def _held_back(
    kind: str | None, unit: str | None, header: str, family: str
) -> tuple[str, str, str, str] | None:
    """Why a recognised table's amounts stay in cells only: (severity, code, message, reason)."""
    if (
        kind == "final_accounts"
        and s.BUDGET_BASIS_WORDS.search(header)
        and family not in s.BASIS_FAMILIES
    ):
        # a 决算 table printing budget figures beside the actuals (预算数 | 决算数): until the
        # basis of each column is read, none of its amounts is typed (a budget figure must never
        # land as an actual). Its other tables print actuals only, and are typed.
        return (
            "warning",
            "final_accounts_not_typed",
            "final accounts table printing budget figures beside the actuals (预算数 | 决算数): "
            "the basis of its columns is not read yet; the amounts are kept in cells only",
            "final accounts: budget beside actual, basis not read yet",
        )
    if unit is None:
        return (
            "error",
            "no_unit",
            "the table prints no unit (单位) in its head and the document states none: its "
            "amounts are kept in cells only, never assumed to be in 万元",
            "no unit printed",
        )
    return None


def _fitting(rows: list[dict[str, Any]], result: TableResult) -> list[dict[str, Any]]:
    """The rows whose amount the landed decimal type holds; a note for each other one."""
    if result.factor <= 1 and all(_short(row["amount_as_printed"]) for row in rows):
        return rows  # at most 12 characters and 2 decimals, in 万元 or a smaller unit: fits
    if all(fits_landed(row["amount"]) for row in rows):
        return rows
    kept = []
    for row in rows:
        if fits_landed(row["amount"]):
            kept.append(row)
            continue
        result.notes.append(
            Note(
                "error",
                "amount_out_of_range",
                f"'{row['amount_as_printed']}' does not fit the landed amount type (14 digits "
                "and 6 decimals of 万元): kept in cells only",
                row["source_line"],
            )
        )
    return kept


def _short(printed: str) -> bool:
    """A printed amount of at most 12 characters with at most two decimals."""
    point = printed.find(".")
    return len(printed) <= 12 and (point < 0 or len(printed) - point <= 3)


def _drop_other_years(
    rows: list[dict[str, Any]], columns: list[Column], ctx: Context, result: TableResult
) -> list[dict[str, Any]]:
    """Keep out of the typed rows the columns of another year or of a year-on-year change.

    Some templates print last year's figures and the change beside this year's (2021年 /
    2022年 / 增减变化情况): only the document's own year is its budget. Those cells stay in
    ``cells``, with a note naming the columns.
    """
    if not s.OTHER_YEAR_HINT.search("|".join(c.path_text for c in columns)):
        return rows  # a header that names no year and no change has no such column
    other = {c.index for c in columns if c.path and _is_other_year(c.path_text, ctx.fiscal_year)}
    if not other:
        return rows
    result.notes.append(
        Note(
            "warning",
            "other_year_column",
            "columns of another year or of a year-on-year change are kept in cells only: "
            + "; ".join(sorted({columns[i].path_text for i in other})),
            None,
        )
    )
    result.other_year_columns |= other
    return [r for r in rows if r["_col"] not in other]


def _is_other_year(path: str, year: int | None) -> bool:
    if s.CHANGE_COLUMN.search(path):
        return True
    years = {int(y) for y in re.findall(r"((?:19|20)\d{2})\s*年", path)}
    return bool(year and years and year not in years)


def _count_numeric(body: list[Row]) -> int:
    """Numeric cells of a table that is not typed (column-number rows not counted)."""
    count = 0
    for row in body:
        if not _ANY_DIGIT.search("".join(row.cells)):
            continue
        numeric = [
            c
            for c in row.cells
            if c and len(c) < 32 and c.lstrip()[:1] in _NUMBER_START and is_amount(c)
        ]
        if not numeric or (
            all(c.strip().isdigit() for c in numeric) and is_column_number_row(row.cells)
        ):
            continue
        count += len(numeric)  # codes among them too: an untyped table's columns are unknown
    return count


def _unit_in_rows(rows: list[Row]) -> str | None:
    """A unit printed in a cell of the table's head (``金额单位：万元`` inside the grid)."""
    for row in rows:
        for cell in row.cells:
            if cell and (m := s.UNIT_IN_TEXT.search(fold(cell))):
                return m.group(1)
    return None


def _land_cells(
    table: Table, header: list[Row], paths: list[list[str]], result: TableResult, document_id: str
) -> None:
    header_lines = {id(r) for r in header}
    joined = ["/".join(p) for p in paths]
    table_id = result.table_id
    extend = result.cells.extend
    width = len(joined)
    for row_index, row in enumerate(table.rows):
        is_header = row.repeated or id(row) in header_lines
        line = row.line
        page = row.page
        boxes = None if row.packed else row.boxes  # a fixed-width text's boxes are characters
        # tuples in the order of schema "cells" (millions of them: no dicts); text input has
        # no boxes
        extend(
            (
                document_id,
                table_id,
                row_index,
                col,
                is_header,
                joined[col] if col < width else None,
                cell,
                line,
                page,
                *((boxes[col] or _NO_BOX) if boxes else _NO_BOX),
            )
            for col, cell in enumerate(row.cells)
            if cell and not cell.isspace()
        )


def _column_groups(paths: list[list[str]], family: str) -> int:
    """How many groups of columns the header prints side by side (1 for an ordinary table).

    The 决算 template's basic-expenditure table prints ``经济分类科目编码 | 科目名称 | 决算数``
    twice, 人员经费 classes on the left and 公用经费 classes on the right: its header paths repeat
    with a period that divides the table's width, and each group has label and amount columns.
    """
    if family not in s.COLUMN_GROUP_FAMILIES:
        return 1
    n = len(paths)
    for width in range(2, n // 2 + 1):
        if n % width or any(paths[i] != paths[i % width] for i in range(n)):
            continue
        leaves = [bool(p and s.LABEL_HEADER.search(p[-1])) for p in paths[:width]]
        return n // width if any(leaves) and not all(leaves) else 1
    return 1


def _grouped_rows(
    table: Table,
    header: list[Row],
    paths: list[list[str]],
    body: list[Row],
    groups: int,
    ctx: Context,
    result: TableResult,
) -> tuple[list[dict[str, Any]], list[Column]]:
    """Typed rows of a table printing its columns in side-by-side groups, group by group.

    Each group is read as a table of its own (its slice of every row), its rows landing with
    ``column_group`` (1 = leftmost) and each cell accounted at the column it is printed in.
    """
    width = len(paths) // groups
    rows: list[dict[str, Any]] = []
    columns: list[Column] = []
    for group in range(groups):
        start = group * width
        sliced = [_slice(row, start, width) for row in body]
        sliced = [row for row in sliced if any(compact(c) for c in row.cells)]
        cols = _columns(table.family, header, paths[start : start + width], width, result, sliced)
        for row in _PARSERS[table.family](table, sliced, cols, ctx, result):
            row["_col"] += start
            row["column_group"] = group + 1
            rows.append(row)
        columns += [replace(col, index=col.index + start) for col in cols]
    result.layout_note = f"{groups} groups of columns printed side by side, read group by group"
    return rows, columns


def _slice(row: Row, start: int, width: int) -> Row:
    boxes = row.boxes[start : start + width] if row.boxes else row.boxes
    return replace(row, cells=row.cells[start : start + width], boxes=boxes)


_NO_BOX = (None, None, None, None)
# characters a printed amount can start with (a cheap test before is_amount)
_NUMBER_START = frozenset("-−0123456789０１２３４５６７８９")
_ANY_DIGIT = re.compile(r"[0-9０-９]")


def _columns(
    family: str,
    header: list[Row],
    paths: list[list[str]],
    ncols: int,
    result: TableResult,
    body: list[Row],
) -> list[Column]:
    columns = [Column(i, p) for i, p in enumerate(paths)]
    override = s.HEADER_OVERRIDES.get(result.header_text)
    if override:
        start = ncols - len(override)
        for col in columns:
            col.is_label = col.index < start
            col.measure = None if col.is_label else override[col.index - start]
            if col.measure:  # the printed path is misaligned: say so where it is landed
                col.path = [
                    f"{col.path_text or '?'} (garbled print; column repaired as {col.measure})"
                ]
        result.layout_note = "header repaired from settings.HEADER_OVERRIDES (garbled print)"
        return columns
    rules = s.MEASURE_RULES[family]
    for col in columns:
        leaf = col.path[-1] if col.path else ""
        if not col.path or s.LABEL_HEADER.search(leaf):
            col.is_label = True
            continue
        if family == "basic_by_economic" and s.ECONOMIC_SOURCE_COLUMNS.search(leaf):
            col.measure = "by_source"
            continue
        col.measure = _match(rules, col.path_text)
        if col.measure is None and s.OF_WHICH.match(leaf) and family in s.OF_WHICH_FAMILIES:
            col.measure = s.OF_WHICH_MEASURE
        if col.measure is None:
            col.is_label = True
    _settle_duplicates(columns, body, family)
    parts = ("by_source", s.OF_WHICH_MEASURE)  # several columns each, by design
    measures = Counter(c.measure for c in columns if c.measure and c.measure not in parts)
    duplicated = {m for m, n in measures.items() if n > 1}
    if duplicated and family not in (*s.SUMMARY_KINDS, "three_public"):
        result.notes.append(
            Note(
                "error",
                "ambiguous_header",
                f"header maps several columns to {sorted(duplicated)}: "
                f"{[c.path_text for c in columns if c.measure in duplicated]}; their amounts "
                "are kept in cells only",
                header[0].line if header else None,
            )
        )
        for col in columns:  # which of them is the measure is not a guess to make
            if col.measure in duplicated:
                col.measure = None
    return columns


def _settle_duplicates(columns: list[Column], body: list[Row], family: str) -> None:
    """Two columns that map to one measure, where the header itself says which is which.

    An "of which" column (``其中：…``) is a part of the column it follows, not that measure: it
    lands as the measure ``of_which`` (its printed header says a part of what), which no sum
    adds in. A column that repeats its neighbour's header but prints nothing in any row is the
    empty half of a header cell carried over. Any other duplicate stays ambiguous (see
    ``_columns``).
    """
    by_measure: dict[str, list[Column]] = {}
    for col in columns:
        if col.measure and col.measure not in ("by_source", s.OF_WHICH_MEASURE):
            by_measure.setdefault(col.measure, []).append(col)
    for same in by_measure.values():
        if len(same) < 2:
            continue
        parts = [c for c in same if c.path and s.OF_WHICH.match(c.path[-1])]
        if len(same) - len(parts) == 1:
            for col in parts:
                col.measure = s.OF_WHICH_MEASURE if family in s.OF_WHICH_FAMILIES else None
            continue
        printed = [c for c in same if any(_cell(r, c.index) for r in body)]
        if len(printed) <= 1 and len({c.path_text for c in same}) == 1:
            for col in same:
                if col not in printed:
                    col.measure = None


def _cell(row: Row, index: int) -> bool:
    return index < len(row.cells) and bool(row.cells[index].strip())


def _account(body: list[Row], columns: list[Column], result: TableResult) -> None:
    """Numeric cells printed (outside code/label columns) vs landed in typed rows."""
    landed: dict[tuple[int, int], int] = {}
    for row in [*result.rows, *(r for extra in result.extra.values() for r in extra)]:
        key = (row["source_line"], row.pop("_col"))
        landed[key] = landed.get(key, 0) + 1
    printed = set()
    for row in body:
        for i, cell in enumerate(row.cells):
            if not is_amount(cell):
                continue
            label = i >= len(columns) or columns[i].is_label
            if label and _is_code(cell):
                continue
            printed.add((row.line, i))
    printed |= result.kept_out
    origins = {row.line: row.origin for row in body if row.origin}
    if origins:  # rows placed by arithmetic: account each cell at the column it was printed in

        def printed_at(key: tuple[int, int]) -> tuple[int, int]:
            origin = origins.get(key[0])
            return (key[0], origin.get(key[1], key[1])) if origin else key

        landed = {printed_at(k): n for k, n in landed.items()}
        printed = {printed_at(k) for k in printed}
    result.positions = set(landed)
    result.numeric_printed = len(printed)
    result.numeric_landed = len(printed & set(landed))
    result.numeric_twice = sum(1 for k, n in landed.items() if n > 1)
    missing = sorted(printed - set(landed))
    result.numeric_other_year = sum(
        1
        for line, col in missing
        if line in result.other_year_lines or col in result.other_year_columns
    )
    noted = [p for p in missing if p not in result.kept_out]  # those have a note of their own
    for line, col in noted[:20]:
        result.notes.append(
            Note(
                "error",
                "cell_not_landed",
                f"numeric cell in column {col + 1} of line {line} was not landed "
                f"(header: {columns[col].path_text if col < len(columns) else '?'})",
                line,
            )
        )


def _amount_rows(
    row: Row, columns: list[Column], result: TableResult, base: dict[str, Any]
) -> list[dict[str, Any]]:
    """One typed row per printed amount cell in a measure column."""
    out = []
    for col in columns:
        if col.measure is None or col.index >= len(row.cells):
            continue
        cell = row.cells[col.index]
        if not compact(cell):
            continue
        if not is_amount(cell):
            result.notes.append(
                Note(
                    "warning",
                    "not_an_amount",
                    f"'{cell}' in amount column '{col.path_text}' is not a number",
                    row.line,
                )
            )
            continue
        out.append(
            {
                **base,
                "source_line": row.line,
                "source_page": row.page,
                "measure": col.measure,
                "measure_header": col.path_text,
                "amount": parse_amount(cell, result.factor),
                "amount_as_printed": cell,
                "_col": col.index,
            }
        )
    return out


@dataclass
class _Labels:
    code: str = ""
    code_as_printed: str = ""
    name: str = ""
    unit_code: str | None = None


def _labels(row: Row, columns: list[Column], unit_code_col: set[int]) -> _Labels:
    """Code (split 类/款/项 cells joined, or glued to the name) and name of a row."""
    labels = _Labels()
    parts: list[str] = []
    for col in columns:
        if not col.is_label or col.index >= len(row.cells):
            continue
        cell = fold(row.cells[col.index])
        text = compact(cell)
        if not text or s.MARKER_CELL.match(text):
            continue
        if col.index in unit_code_col:
            labels.unit_code = text
        elif text.isdigit() and not labels.name:
            parts.append(text)
        elif m := s.GLUED_CODE.match(text) if not labels.name and not parts else None:
            parts.append(m.group("code"))
            labels.name = m.group("name")
        elif not labels.name:
            labels.name = cell
    labels.code = "".join(parts)
    labels.code_as_printed = " ".join(parts)
    return labels


def _malformed_split_code(labels: _Labels, row: Row, result: TableResult) -> bool:
    """Note and report a row whose split code cells make no code (``7 | 11 | 02`` under 210).

    Joined, such cells are no code of the row's level, and which digits are missing is a guess:
    the row's amounts stay in cells.
    """
    if _split_code_fits(labels.code_as_printed):
        return False
    result.notes.append(
        Note(
            "warning",
            "malformed_code",
            f"function code cells '{labels.code_as_printed}' make no code (类 has 3 digits, "
            "款 and 项 2 each): the row is kept in cells",
            row.line,
        )
    )
    return True


def _split_code_fits(printed: str) -> bool:
    """Do a code's split cells (``208 05 02``) have the widths of 类, 款 and 项 (3, 2, 2)?

    One cell (a whole or glued code) always fits here: its length is checked as a code's.
    """
    parts = printed.split()
    if len(parts) < 2:
        return True
    return len(parts[0]) == 3 and all(len(part) == 2 for part in parts[1:])


def _role_by_code(code: str) -> str:
    return {3: "class", 5: "section", 7: "item"}.get(len(code), "item")


# ----------------------------------------------------------------------------- families


def _function_rows(table, body, columns, ctx, result):
    unit_cols = {
        c.index for c in columns if c.is_label and re.search(r"单位代码|单位编码", c.path_text)
    }
    if table.budget_scope == s.FISCAL_SCOPE:
        # a table of fiscal appropriations only: its 财政拨款支出 column is the table's total
        for col in columns:
            if col.measure == "fiscal_total":
                col.measure = "total"
    levels = _code_level_columns(columns)
    classes: list[str] = []  # the class codes printed so far (the last is the one above)
    rows = []
    for row in body:
        labels = _labels(row, columns, unit_cols)
        _carry_class(row, levels, labels, classes, result)
        if _malformed_split_code(labels, row, result):
            continue
        name = compact(labels.name)
        if s.TOTAL_LABEL.match(name) or (not labels.code and not name and not labels.unit_code):
            role = "total"
        elif labels.code and s.FUNCTION_CODE.match(labels.code):
            role = _role_by_code(labels.code)
        else:
            role = "unit"
        if labels.code and not s.FUNCTION_CODE.match(labels.code):
            result.notes.append(
                Note(
                    "warning",
                    "odd_code",
                    f"function code '{labels.code}' is not 3/5/7 digits",
                    row.line,
                )
            )
        base = {
            "budget_scope": table.budget_scope or "all_funds",
            "row_role": role,
            "unit_code": labels.unit_code,
            "function_code": labels.code if role in ("class", "section", "item") else None,
            "code_as_printed": labels.code_as_printed or None,
            "function_name": labels.name.strip() or None,
        }
        rows += _amount_rows(row, columns, result, base)
    return rows


def _code_level_columns(columns: list[Column]) -> dict[str, int]:
    """The label columns headed 类, 款 and 项 (a function code printed in three cells)."""
    levels: dict[str, int] = {}
    for col in columns:
        leaf = col.path[-1] if col.path else ""
        if col.is_label and leaf in ("类", "款", "项"):
            levels.setdefault(leaf, col.index)
    return levels


def _carry_class(
    row: Row, levels: dict[str, int], labels: _Labels, classes: list[str], result: TableResult
) -> None:
    """Complete a 款 row's code from the class printed above it (see :func:`_carried_code`)."""
    carried = _carried_code(row, levels, labels.code, classes[-1] if classes else None)
    if carried:
        result.notes.append(
            Note(
                "info",
                "code_carried",
                f"'{labels.code_as_printed}' printed under 款/项 with the 类 cell blank: "
                f"function code {carried} (the class above it)",
                row.line,
            )
        )
        labels.code = carried
    if labels.code and len(labels.code) == 3 and labels.code.isdigit():
        classes.append(labels.code)


def _carried_code(row: Row, levels: dict[str, int], code: str, above: str | None) -> str | None:
    """The full code of a row printing 款 (and 项) under a blank 类 cell, from the rows above.

    Hierarchical tables print the class only on its class row: ``| 40 | | 信访事务`` under
    ``201 | | | 一般公共服务支出`` is section 20140. Only where the 类 cell is blank, the 款 cell
    prints two digits and a class row was printed above; else None (the code stays as printed).
    """
    if len(levels) < 3 or not code or len(code) not in (2, 4) or above is None:
        return None

    def cell(level: str) -> str:
        index = levels[level]
        return compact(row.cells[index]) if index < len(row.cells) else ""

    section, item = cell("款"), cell("项")
    if cell("类") or len(section) != 2 or not section.isdigit() or code != section + item:
        return None
    if item and (len(item) != 2 or not item.isdigit()):
        return None
    return above + code


def _revenue_rows(table, body, columns, ctx, result):
    unit_cols = {
        c.index
        for c in columns
        if c.is_label and re.search(r"(部门|单位).*(代码|编码)", c.path_text)
    }
    levels = _code_level_columns(columns)
    classes: list[str] = []  # the class codes printed so far (the last is the one above)
    rows = []
    for row in body:
        labels = _labels(row, columns, unit_cols)
        _carry_class(row, levels, labels, classes, result)
        if _malformed_split_code(labels, row, result):
            continue
        name = compact(labels.name)
        if s.TOTAL_LABEL.match(name) or not (labels.code or name or labels.unit_code):
            role = "total"
        elif labels.code and s.FUNCTION_CODE.match(labels.code):
            role = _role_by_code(labels.code)
        else:
            role = "unit"
        base = {
            "row_role": role,
            "unit_code": labels.unit_code,
            "function_code": labels.code if role in ("class", "section", "item") else None,
            "code_as_printed": labels.code_as_printed or None,
            "row_label": labels.name.strip() or None,
        }
        rows += _amount_rows(row, columns, result, base)
    return rows


_PERSONNEL_CLASSES = ("301", "303")


def _economic_rows(table, body, columns, ctx, result):
    kind = "economic_summary" if table.family == "economic_summary" else "basic_by_economic"
    has_gov = any(c.is_label and "政府" in c.path_text for c in columns)
    amount_cols = [c for c in columns if c.measure]
    rows = []
    for row in body:
        groups: list[list[str]] = []  # [code parts..., name]
        current: list[str] = []
        for col in columns:
            if not col.is_label or col.index >= len(row.cells):
                continue
            text = compact(fold(row.cells[col.index]))
            if not text or s.MARKER_CELL.match(text):
                continue
            if text.isdigit():
                current.append(text)
            else:
                groups.append([*current, row.cells[col.index].strip()])
                current = []
        if current:
            groups.append([*current, ""])
        dept = groups[0] if groups else ["", ""]
        gov = groups[1] if len(groups) > 1 else ["", ""]
        dept_code, dept_name = "".join(dept[:-1]), dept[-1]
        gov_code, gov_name = "".join(gov[:-1]), gov[-1]
        if (
            s.TOTAL_LABEL.match(compact(dept_name))
            or not (dept_code or dept_name)
            or (not dept_code and s.GROUP_TOTAL_LABEL.match(compact(dept_name)))
        ):
            role = "total"
        elif _is_department(dept_name, ctx):
            role = "unit"
        elif dept_code:
            role = "class" if len(dept_code) == 3 else "item"
        else:
            role = "class" if has_gov and not gov_name else "item"
        note = None
        moved_from: dict[int, int] = {}
        # a row printed with fewer cells than the header (e.g. continued after a page break)
        cells = row.cells + [""] * (len(columns) - len(row.cells))
        present = [c for c in amount_cols if compact(cells[c.index])]
        if (
            len(row.cells) < len(columns)
            and {c.measure for c in amount_cols} >= {"total", "personnel", "public"}
            and len(present) == 2
            and dept_code[:3]
        ):
            target = "personnel" if dept_code[:3] in _PERSONNEL_CLASSES else "public"
            second = next(c for c in amount_cols if c.measure == target)
            moved = list(cells)
            last = present[-1]
            moved[second.index], moved[last.index] = cells[last.index], ""
            row = replace(row, cells=moved)
            moved_from = {second.index: last.index}
            note = (
                f"short row: {len(present)} amounts for {len(amount_cols)} columns; the second "
                f"assigned to {target} by economic class {dept_code[:3]}"
            )
            result.notes.append(Note("warning", "short_row", note, row.line))
        if role == "unit":  # a budget-unit code (e.g. 510), not an economic code
            dept_code = ""
        base = {
            "table_kind": kind,
            "row_role": role,
            "dept_economic_code": dept_code or None,
            "dept_code_as_printed": " ".join(dept[:-1]) or None,
            "dept_economic_name": dept_name or None,
            "gov_economic_code": gov_code or None,
            "gov_code_as_printed": " ".join(gov[:-1]) or None,
            "gov_economic_name": gov_name or None,
            "parse_note": note,
            "column_group": 1,
        }
        landed = _amount_rows(row, columns, result, base)
        for item in landed:  # account a moved cell at the column it was printed in
            item["_col"] = moved_from.get(item["_col"], item["_col"])
        rows += landed
    return rows


def _summary_rows(table, body, columns, ctx, result):
    kind = s.SUMMARY_KINDS[table.family]
    header_cells = [c.path[0] if c.path else "" for c in columns]
    exp_col = next((i for i, t in enumerate(header_cells) if i > 0 and "支出" in t), None)
    if exp_col is None:
        result.notes.append(
            Note("error", "unknown_layout", "two-sided summary without a 支出 header column", None)
        )
        return []
    rev_measures = [c for c in columns[1:exp_col] if not _label_path(c)]
    # some templates print a second (and third) label/amount pair on the expenditure side (by
    # function, then by economic class): the first pair is read as the expenditure side, the
    # others by what their label header says (settings.SUMMARY_EXTRA_PAIRS) or not at all
    second_label = next(
        (c.index for c in columns[exp_col + 1 :] if _is_label_column(c)), len(columns)
    )
    exp_measures = [c for c in columns[exp_col + 1 : second_label]]
    extra_pairs = _extra_pairs(columns, second_label)
    for side_cols in (rev_measures, exp_measures):
        for col in side_cols:
            rest = "/".join(col.path[1:]) or col.path_text
            col.measure = (
                "amount" if len(side_cols) == 1 else (_match(s.SUMMARY_MEASURES, rest) or "amount")
            )
            col.is_label = False
    for side_cols in (rev_measures, exp_measures):
        _settle_duplicates(side_cols, body, table.family)
        seen = Counter(c.measure for c in side_cols if c.measure)
        twice = sorted(m for m, n in seen.items() if n > 1)
        if twice:  # which column is which measure is not a guess to make
            result.notes.append(
                Note(
                    "error",
                    "ambiguous_header",
                    f"one side of the summary maps several columns to {twice}: "
                    f"{[c.path_text for c in side_cols if c.measure in twice]}; their amounts "
                    "are kept in cells only",
                    None,
                )
            )
            for col in side_cols:
                if col.measure in twice:
                    col.measure = None
    measured = {c.index for c in rev_measures} | {c.index for c in exp_measures}
    measured |= {amount.index for _, amount in extra_pairs}
    for col in columns:
        if col.index not in measured:
            col.is_label, col.measure = True, None
    rows = []
    rev_by_index = {c.index: c for c in rev_measures}
    # with typed extra pairs, the first pair ends at the second label column
    exp_end = second_label if extra_pairs else None
    for row in body:
        cells = row.cells
        label_at = next(
            (i for i in range(exp_col, exp_end or len(cells)) if _is_text(cells[i])), None
        )
        # a row without an expenditure label: the revenue side still ends where the expenditure
        # side's columns begin (its cells, and the extra pairs', are never revenue)
        rev_end = label_at if label_at is not None else exp_col
        rev_labels = [c.strip() for c in cells[:rev_end] if _is_text(c)]
        rev_amounts = [(i, c) for i, c in enumerate(cells[:rev_end]) if i > 0 and is_amount(c)]
        if rev_labels or rev_amounts:
            label = "/".join(rev_labels)
            for k, (i, cell) in enumerate(rev_amounts):
                # the column the amount is printed in; by position only where it is printed
                # outside the revenue columns (a shifted converter cell)
                col = rev_by_index.get(i) or (
                    rev_measures[min(k, len(rev_measures) - 1)] if rev_measures else None
                )
                if col is not None and col.measure is None:
                    continue  # an ambiguous column: kept in cells only
                rows.append(_summary_row(kind, "revenue", label, row, i, cell, col, result))
        if label_at is not None:
            label = cells[label_at].strip()
            for k, cell in enumerate(cells[label_at + 1 : exp_end]):
                if not compact(cell):
                    continue
                if k >= len(exp_measures) or not is_amount(cell):
                    _extra_cell(result, cell, label, row.line)
                    continue
                if exp_measures[k].measure is None:
                    continue  # an ambiguous column: kept in cells only
                rows.append(
                    _summary_row(
                        kind,
                        "expenditure",
                        label,
                        row,
                        label_at + 1 + k,
                        cell,
                        exp_measures[k],
                        result,
                    )
                )
        for label_col, amount in extra_pairs:
            label = _cell_at(cells, label_col.index).strip()
            cell = _cell_at(cells, amount.index)
            if not compact(cell):
                continue
            if not is_amount(cell) or not label:
                _extra_cell(result, cell, label, row.line)
                continue
            rows.append(
                _summary_row(kind, "expenditure", label, row, amount.index, cell, amount, result)
            )
    return rows


def _extra_cell(result: TableResult, cell: str, label: str, line: int) -> None:
    result.notes.append(
        Note("warning", "extra_cell", f"unexpected cell '{cell}' after '{label}'", line)
    )


def _is_label_column(col: Column) -> bool:
    """A label column of a summary side (项目, 支出功能分类科目, …)."""
    return _label_path(col) or bool(col.path and s.LABEL_HEADER.search(col.path[-1]))


def _extra_pairs(columns: list[Column], start: int) -> list[tuple[Column, Column]]:
    """The expenditure side's further (label, amount) pairs, each with its measure.

    A pair is typed only where its label header says which classification it lists
    (settings.SUMMARY_EXTRA_PAIRS) and it prints one amount column; otherwise none is typed and
    the cells stay in ``cells``.
    """
    labels = [c.index for c in columns[start:] if _is_label_column(c)]
    pairs = []
    for n, at in enumerate(labels):
        end = labels[n + 1] if n + 1 < len(labels) else len(columns)
        amounts = columns[at + 1 : end]
        measure = _match(s.SUMMARY_EXTRA_PAIRS, columns[at].path_text)
        if measure is None or len(amounts) != 1:
            return []
        amounts[0].measure = measure
        pairs.append((columns[at], amounts[0]))
    return pairs


def _cell_at(cells: list[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""


def _label_path(col: Column) -> bool:
    leaf = col.path[-1] if col.path else ""
    return bool(re.fullmatch(r"项目|项目名称|支出功能分类|收入|支出", leaf))


def _summary_row(kind, side, label, row, col_index, cell, col, result):
    folded = fold(label)
    ordinal = None
    class_code = None
    name = folded
    if m := s.CHINESE_ORDINAL.match(folded):
        ordinal = m.group("ordinal").strip()
        name = folded[m.end() :]
    if m := re.match(r"^(\d{3})\s*(\D.*)$", name):
        class_code, name = m.group(1), m.group(2)
    bare = compact(name)
    role = _match(s.SUMMARY_ROW_ROLES, bare) or "item"
    if bare in ("本年收入", "本年支出"):
        role = "subtotal"
    return {
        "table_kind": kind,
        "side": side,
        "item_label": label,
        "ordinal": ordinal,
        "class_code": class_code,
        "class_name": (
            compact(name)
            if side == "expenditure"
            and role == "item"
            and (col is None or col.measure not in s.SUMMARY_EXTRA_MEASURES)
            else None
        ),
        "row_role": role,
        "source_line": row.line,
        "source_page": row.page,
        "measure": col.measure if col else "amount",
        "measure_header": col.path_text if col else None,
        "amount": parse_amount(cell, result.factor),
        "amount_as_printed": cell,
        "_col": col_index,
    }


def _three_public_category(col: Column) -> str | None:
    """The 三公 category of a column of a wide 三公 table, from its header path.

    A generic leaf (小计, 合计) belongs to its parent: under 公务用车购置及运行费 it is the vehicle
    subtotal, under the 三公 heading (or alone) the 三公 total.
    """
    if len(col.path) > 1 and (_scope_of(col) or amount_basis(col.path[-1])):
        # …/公务用车购置费/一般公共预算 or …/公务用车购置费/决算数: the category above
        return _three_public_category(Column(col.index, col.path[:-1]))
    full = _match(s.THREE_PUBLIC_CATEGORIES, col.path_text)
    if full == s.NOT_THREE_PUBLIC or not col.path:
        return full
    leaf = col.path[-1]
    if s.GENERIC_TOTAL_HEADER.match(leaf):
        parent = col.path[-2] if len(col.path) > 1 else ""
        return "vehicle_total" if s.VEHICLE_HEADER.search(parent) else "total"
    return _match(s.THREE_PUBLIC_CATEGORIES, leaf) or full


def three_public_column(path: list[str]) -> tuple[str | None, str | None]:
    """How a wide 三公 table's column with this header path is read: (category, basis).

    The basis is None where the header names none (the document's own basis then).
    """
    return _three_public_category(Column(0, path)), amount_basis("/".join(path))


def _wide_categories(columns: list[Column]) -> bool:
    """Do the columns name the 三公 categories (a row per total or unit, a column per category)?"""
    named = {_three_public_category(c) for c in columns if c.path}
    return len(named & {"outbound_travel", "official_reception", "vehicle_total"}) >= 2


def _other_costs_total(columns: list[Column], result: TableResult) -> None:
    """A 合计 over 三公 and other costs (会议费, 培训费 printed beside them) is no 三公 total.

    It lands as its own category (``OTHER_COSTS_TOTAL``), never as the 三公 total.
    """
    if not any(c.path and s.OTHER_COST_HEADER.search(c.path_text) for c in columns):
        return
    for col in columns:
        if col.measure == "total" and "三公" not in col.path_text:
            col.measure = s.OTHER_COSTS_TOTAL
            result.notes.append(
                Note(
                    "info",
                    "not_three_public_total",
                    f"'{col.path_text}' adds other costs to the 三公: landed as "
                    f"{s.OTHER_COSTS_TOTAL}, not as the 三公 total",
                    None,
                )
            )


def _scope_of(col: Column) -> str | None:
    """The funding scope a wide 三公 column is split by (…/一般公共预算), if any."""
    leaf = col.path[-1] if col.path else ""
    scope = _match(s.THREE_PUBLIC_MEASURES, leaf)
    return scope if scope in s.THREE_PUBLIC_SCOPES else None


def _other_year_rows(body: list[Row], year: int | None, result: TableResult) -> list[Row]:
    """Rows of a 三公 table printed by year (2025年 | 2026年 | 增减变化金额): the document's own.

    The rows of another year or of the change stay in ``cells``, with a note.
    """
    by_year = [
        r for r in body if any(s.YEAR_ROW_LABEL.match(compact(c)) for c in r.cells if _is_text(c))
    ]
    if not by_year:
        return body
    own = []
    for row in body:
        labels = [compact(c) for c in row.cells if _is_text(c)]
        years = {int(m.group(1)) for c in labels if (m := s.YEAR_ROW_LABEL.match(c)) and m.group(1)}
        if year is not None and years == {year}:
            own.append(row)
            continue
        result.other_year_lines.add(row.line)
        result.notes.append(
            Note(
                "warning",
                "other_year_row",
                f"a row not of the document's year ({'/'.join(labels)}) is kept in cells only",
                row.line,
            )
        )
    return own


def _three_public_rows(table, body, columns, ctx, result):
    rows = _three_public_amounts(table, body, columns, ctx, result)
    own = s.KIND_BASIS.get(ctx.disclosure_kind or "budget", "budget")
    for row in rows:  # each column's basis: 预算数 beside 决算数 in a 决算 table
        row["amount_basis"] = amount_basis(row["measure_header"] or "") or own
    return rows


def amount_basis(header: str) -> str | None:
    """The basis a column header names: 预算数 budget, 调整预算数 adjusted_budget, 决算数 final."""
    return _match(s.AMOUNT_BASIS_WORDS, compact(header))


def _three_public_amounts(table, body, columns, ctx, result):
    labelled = any(_is_text(c) for row in body for c in row.cells)
    wide = not labelled or _wide_categories(columns)
    rows = []
    if wide:
        body = _other_year_rows(body, ctx.fiscal_year, result)
        scopes = {}
        for col in columns:
            col.measure = _three_public_category(col)
            col.is_label = col.measure is None
            if col.measure and (scope := _scope_of(col)):
                scopes[col.index] = scope
        _other_costs_total(columns, result)
        # rows labelled 合计 and by budget unit: the 合计 row is the table's amount, a unit's
        # row a breakdown of it (one unalabelled or lone row is the amount)
        labels = [next((c.strip() for c in r.cells if _is_text(c)), "") for r in body]
        totals = [i for i, label in enumerate(labels) if s.TOTAL_LABEL.match(compact(label))]
        for i, row in enumerate(body):
            measure = "amount" if (not labelled or i in totals or len(body) == 1) else "by_unit"
            if totals and i not in totals:
                measure = "by_unit"
            if scopes and measure == "by_unit":
                # a unit's row split by scope: by_unit has no scope, so not a guess to make
                result.notes.append(
                    Note(
                        "warning",
                        "by_unit_scope",
                        "a unit row split by scope is kept in cells",
                        row.line,
                    )
                )
                continue
            for col in columns:
                if col.measure is None or col.index >= len(row.cells):
                    continue
                cell = row.cells[col.index]
                if not is_amount(cell):
                    continue
                if col.measure == s.NOT_THREE_PUBLIC:
                    # a 机关运行经费 column printed beside the 三公 columns: an operating-cost row
                    result.extra.setdefault("operating_cost_rows", []).append(
                        {
                            "row_label": col.path_text,
                            "row_role": "total",
                            "source_line": row.line,
                            "source_page": row.page,
                            "measure": "total",
                            "measure_header": col.path_text,
                            "amount": parse_amount(cell, result.factor),
                            "amount_as_printed": cell,
                            "_col": col.index,
                        }
                    )
                    continue
                rows.append(
                    {
                        "category": col.measure,
                        "label_as_printed": col.path_text,
                        "row_role": "total" if col.measure == "total" else "item",
                        "source_line": row.line,
                        "source_page": row.page,
                        "measure": scopes.get(col.index, measure),
                        "measure_header": col.path_text,
                        "amount": parse_amount(cell, result.factor),
                        "amount_as_printed": cell,
                        "_col": col.index,
                    }
                )
        return rows
    for row in body:
        label = next((c.strip() for c in row.cells if _is_text(c)), "")
        category = _match(s.THREE_PUBLIC_CATEGORIES, compact(label))
        if category is None or category == s.NOT_THREE_PUBLIC:
            result.notes.append(
                Note(
                    "warning",
                    "unknown_category",
                    f"三公 row '{label}' matches no category",
                    row.line,
                )
            )
            continue
        base = {
            "category": category,
            "label_as_printed": label,
            "row_role": "total" if category == "total" else "item",
        }
        rows += _amount_rows(row, columns, result, base)
    return rows


_PROJECT_LABELS = [
    (r"类型", "project_category"),
    (r"项目名称|预算项目名称", "project_name"),
    (r"预算单位名称|项目单位|单位名称", "budget_unit"),
    (r"预算单位编码|单位编码|单位代码", "unit_code"),
    (r"功能分类(科目)?编码|科目编码", "function_code"),
    (r"政府经济", "gov_economic_code"),
    (r"经济分类编码|部门经济", "dept_economic_code"),
    (r"资金性质", "fund_nature"),
    (r"功能分类(科目)?名称", "function_name"),
]


def _project_rows(table, body, columns, ctx, result):
    roles: dict[int, str] = {}
    for col in columns:
        if col.is_label:
            roles[col.index] = _match(_PROJECT_LABELS, col.path_text) or "project_name"
    rows = []
    current_unit: str | None = None
    for row in body:
        values: dict[str, str] = {}
        for index, role in roles.items():
            if index < len(row.cells) and compact(row.cells[index]):
                values.setdefault(role, row.cells[index].strip())
            elif index < len(row.cells) and role == "function_code":
                values.setdefault(role, "")
        code_parts = [
            compact(row.cells[i])
            for i, r in roles.items()
            if r == "function_code" and i < len(row.cells) and compact(row.cells[i]).isdigit()
        ]
        function_code = "".join(code_parts) or None
        name = values.get("project_name", "")
        unit = values.get("budget_unit") or values.get("function_name")
        if name and compact(name).isdigit():  # a unit code printed in the name column
            values.setdefault("unit_code", name)
            name = ""
        if s.TOTAL_LABEL.match(compact(name or unit or "")) or not (name or unit or function_code):
            role = "total"
        elif name and _is_department(name, ctx) and not values.get("budget_unit"):
            role, current_unit = "unit", name
        elif not name and unit and not function_code:
            role, current_unit = "unit", unit
        elif not name and function_code:
            role = _role_by_code(function_code)
        else:
            role = "item"
        base = {
            "is_carryover": table.is_carryover,
            "row_role": role,
            "budget_unit": values.get("budget_unit") if "budget_unit" in values else current_unit,
            "project_name": (name or None) if role == "item" else (name or unit or None),
            "project_category": values.get("project_category"),
            "function_code": function_code,
            # the 功能分类名称 printed beside the code (names the code where no function table does)
            "function_name": values.get("function_name") if function_code else None,
            "dept_economic_code": values.get("dept_economic_code"),
            "gov_economic_code": values.get("gov_economic_code"),
            "fund_nature": values.get("fund_nature"),
        }
        if role == "item" and not base["budget_unit"]:
            base["budget_unit"] = current_unit
        rows += _amount_rows(row, columns, result, base)
    return rows


def _operating_cost_rows(table, body, columns, ctx, result):
    rows = []
    for row in body:
        label = next((c.strip() for c in row.cells if _is_text(c)), "")
        role = "total" if s.TOTAL_LABEL.match(compact(label)) or not label else "unit"
        rows += _amount_rows(row, columns, result, {"row_label": label, "row_role": role})
    return rows


_PARSERS = {
    "summary": _summary_rows,
    "fiscal_summary": _summary_rows,
    "government_fund_summary": _summary_rows,
    "revenue": _revenue_rows,
    "expenditure_by_function": _function_rows,
    "basic_by_function": _function_rows,
    "basic_by_economic": _economic_rows,
    "economic_summary": _economic_rows,
    "three_public": _three_public_rows,
    "projects": _project_rows,
    "operating_cost": _operating_cost_rows,
}
