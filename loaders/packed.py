"""Packed rows placed under their table's columns by the table's own arithmetic.

A converter that drops empty cells (:mod:`loaders.spaced`) prints a row of a three-column
table (合计 | 基本支出 | 项目支出) with two amounts as
``201 06 02 一般行政管理事务 100,000.00 100,000.00``: which column the second amount is in is
not printed. Position would say 基本支出; the table says otherwise. This module decides it
from what the table itself asserts:

- **row identities** (the vocabulary of R02, seed ``dq_identities``): 合计 = 基本支出 + 项目支出,
  基本支出 = 人员经费 + 公用经费, …, a blank cell counting as zero;
- **the hierarchy of codes**: the 款 rows under a 类 sum to it, the 项 rows to their 款, the 类
  rows to the 合计 row, column by column.

Each row's candidates are the order-preserving placements of its amounts under the amount
columns that satisfy its identities; the hierarchy then removes candidates no consistent choice
of the whole family (parent and children) keeps. An amount whose column is the same in every
remaining candidate is placed (and the placement recorded as derived where the row printed fewer
amounts than columns); any other amount of the row stays out of the typed rows, in ``cells``,
with a note. Nothing is placed by position alone.

Pure functions: header rows and body rows in, placed rows and notes out.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache

from loaders import settings as s
from loaders.model import BBox
from loaders.project import project_dir
from loaders.segment import Row
from loaders.text import compact

# the families whose packed rows are placed here: rows labelled by a classification code
CODE_FAMILIES = frozenset(
    {
        "expenditure_by_function",
        "basic_by_function",
        "basic_by_economic",
        "economic_summary",
        "revenue",
    }
)
# more placements than this for one family of rows (a parent and its children): not tried
MAX_COMBINATIONS = 20000
LEVEL_LABELS = ("类", "款", "项")


@dataclass(frozen=True)
class Identity:
    """A row identity: ``parent`` = sum of ``parts``.

    ``skip``: a part is left out where the table prints that measure (the part's own parent).
    """

    parent: str
    parts: tuple[tuple[str, str | None], ...]


@cache
def identities(dataset: str) -> tuple[Identity, ...]:
    """The row identities of a landed dataset, from seed ``dq_identities`` (R02's vocabulary)."""
    groups: dict[tuple[str, str], list[tuple[str, str | None]]] = {}
    with open(project_dir() / "seeds" / "dq_identities.csv", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            if record["dataset"] != dataset:
                continue
            key = (record["identity_id"], record["parent_measure"])
            groups.setdefault(key, []).append(
                (record["part_measure"], record["skip_if_table_prints"] or None)
            )
    return tuple(Identity(parent, tuple(parts)) for (_, parent), parts in groups.items())


def applicable(dataset: str, measures: list[str]) -> list[tuple[str, list[str]]]:
    """The identities a table with these amount columns asserts: (parent, parts printed)."""
    present = set(measures)
    out = []
    for identity in identities(dataset):
        if identity.parent not in present:
            continue
        parts = [
            p
            for p, skip in identity.parts
            if p in present and (skip is None or skip not in present)
        ]
        if parts:
            out.append((identity.parent, parts))
    return out


@dataclass
class Header:
    """The amount columns of a packed table, left to right, or why they are not known."""

    measures: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    problem: str | None = None
    # a column whose header cell wraps over two lines of a text without positions: its place
    # among the others is not printed (text, measure)
    floating: tuple[str, str] | None = None

    def orders(self) -> list[tuple[list[str], list[str]]]:
        """Every left-to-right order of the columns the header allows: (measures, texts)."""
        if self.floating is None:
            return [(self.measures, self.texts)]
        text, measure = self.floating
        return [
            (
                [*self.measures[:at], measure, *self.measures[at:]],
                [*self.texts[:at], text, *self.texts[at:]],
            )
            for at in range(len(self.measures) + 1)
        ]


def _maps(rules: list[tuple[str, str]], text: str) -> str | None:
    import re

    for pattern, measure in rules:
        if re.search(pattern, text):
            return measure
    return None


def header(family: str, rows: list[Row]) -> Header:
    """The amount columns a packed header names, in their printed order.

    The leaves are the cells of the header row that names the most measures (the row above
    names the spans, e.g. 支出预算). A column whose header cell wraps over two lines
    (事业单位 | 经营收入) is joined: by its x extent where the reader kept one (fixed width), else
    from two one-cell lines whose words together name a measure; without an x extent the
    joined column's place among the others is not printed, and the header is not placed.
    """
    rules = s.MEASURE_RULES[family]
    cells = [
        [
            (c, (row.boxes or [None] * len(row.cells))[i])
            for i, c in enumerate(row.cells)
            if c.strip()
        ]
        for row in rows
    ]
    mapped = [[_maps(rules, compact(c)) for c, _ in line] for line in cells]
    if not any(any(m) for m in mapped):
        return Header(problem="no header cell names an amount column")
    leaf_row = max(range(len(cells)), key=lambda r: sum(1 for m in mapped[r] if m))
    leaves, grouped = _leaf_run(rules, cells[leaf_row])
    if grouped:
        return Header(problem="the header prints several groups of amount columns side by side")
    # a wrapped cell: unmapped pieces on other rows
    pieces = [
        (r, c, box)
        for r, line in enumerate(cells)
        if r != leaf_row
        for (c, box), m in zip(line, mapped[r], strict=True)
        if not m
    ]
    floating: tuple[str, str] | None = None
    for (r1, c1, b1), (r2, c2, b2) in itertools.combinations(pieces, 2):
        joined = compact(c1 + c2)
        measure = _maps(rules, joined)
        if measure is None or r2 <= r1:
            continue
        if b1 and b2:
            if b1[0] <= b2[2] and b2[0] <= b1[2]:
                leaves.append((min(b1[0], b2[0]), c1 + c2, measure))
            continue
        if len(cells[r1]) == 1 and len(cells[r2]) == 1:
            if floating is not None:
                return Header(problem="two header cells wrap without a printed place")
            floating = (c1 + c2, measure)
    if any(x is None for x, _, _ in leaves) and any(x is not None for x, _, _ in leaves):
        return Header(problem="header cells without a position")
    if leaves and leaves[0][0] is not None:
        leaves.sort(key=lambda leaf: leaf[0])  # type: ignore[arg-type, return-value]
    measures = [m for _, _, m in leaves] + ([floating[1]] if floating else [])
    twice = sorted({m for m in measures if measures.count(m) > 1})
    if twice:
        return Header(problem=f"several header cells name {twice}")
    return Header([m for _, _, m in leaves], [t for _, t, _ in leaves], floating=floating)


def _leaf_run(
    rules: list[tuple[str, str]], line: list[tuple[str, BBox | None]]
) -> tuple[list[tuple[float | None, str, str]], bool]:
    """The amount columns of the leaf row: its longest run of cells that name measures.

    Neighbouring cells that name a measure only together (事业单位 | 经营收入, a cell wrapped
    onto two lines of one-cell-per-line text) are one; a span printed on the same line (支出预算
    before the label cells) is not in the run.
    """
    joined: list[tuple[float | None, str, str | None]] = []
    for cell, box in line:
        measure = _maps(rules, compact(cell))
        if joined and measure is None and joined[-1][2] is None:
            together = joined[-1][1] + cell
            if (both := _maps(rules, compact(together))) is not None:
                joined[-1] = (joined[-1][0], together, both)
                continue
        label = bool(s.LABEL_HEADER.search(compact(cell))) and measure is None
        joined.append((box[0] if box else None, cell, None if label else measure))
    runs: list[list[tuple[float | None, str, str]]] = []
    run: list[tuple[float | None, str, str]] = []
    for x, cell, measure in [*joined, (None, "", None)]:
        if measure is None:
            if run:
                runs.append(run)
            run = []
        else:
            run.append((x, cell, measure))
    if not runs:
        return [], False
    best = max(runs, key=len)
    # another run to the right of the leaves: a second group of columns printed beside the first
    # (code | name | amount twice over): the row's cells do not say which group they are in
    return best, runs.index(best) < len(runs) - 1


@dataclass
class Packed:
    """A packed body row split into its labels and its amounts."""

    row: Row
    codes: list[str]
    name: str
    amounts: list[str]
    values: list[Decimal]
    problem: str | None = None
    # the column (index among the amount columns) of each amount, where the row prints every
    # cell under its column: nothing to place
    fixed: tuple[int, ...] | None = None
    # the index in the printed row of each amount
    positions: list[int] = field(default_factory=list)

    @property
    def code(self) -> str:
        """The code parts joined (``2010602``)."""
        return "".join(self.codes)


def split(row: Row) -> Packed:
    """Codes (leading digit cells, 3 then 2 digits, or one whole code), name, amounts.

    A row's leading digits shaped like a code are its code, even where nothing follows (a bare
    ``201`` is a 类 code, never an amount of 201).
    """
    raw = [i for i, c in enumerate(row.cells) if c.strip()]
    cells = [row.cells[i] for i in raw]
    codes: list[str] = []
    i = 0
    while i < len(cells) and cells[i].isdigit():
        part = cells[i]
        if not codes and len(part) in (3, 5, 7) or codes and len(part) == 2 and len(codes) < 3:
            codes.append(part)
            i += 1
        else:
            break
    words: list[str] = []
    while i < len(cells) and not s.AMOUNT.match(cells[i]):
        words.append(cells[i])
        i += 1
    amounts = cells[i:]
    problem = None
    if any(not s.AMOUNT.match(a) for a in amounts):
        problem = "text printed among the amounts"
        amounts = []
    values = [Decimal(a.replace(",", "")) for a in amounts]
    positions = raw[i : i + len(amounts)]
    return Packed(row, codes, "".join(words), amounts, values, problem, positions=positions)


def _placements(n_columns: int, k: int) -> Iterator[tuple[int, ...]]:
    return itertools.combinations(range(n_columns), k)


def _fits(values: list[Decimal], place: tuple[int, ...], measures: list[str], rules) -> bool:
    by_measure = {measures[c]: v for c, v in zip(place, values, strict=True)}
    for parent, parts in rules:
        printed = parent in by_measure or any(p in by_measure for p in parts)
        if printed and by_measure.get(parent, Decimal(0)) != sum(
            (by_measure.get(p, Decimal(0)) for p in parts), Decimal(0)
        ):
            return False
    return True


def _vector(row: Packed, place: tuple[int, ...], width: int) -> list[Decimal]:
    out = [Decimal(0)] * width
    for c, v in zip(place, row.values, strict=True):
        out[c] = v
    return out


@dataclass
class Placed:
    """What placing a table's packed rows decided."""

    rows: list[Row]
    notes: list[tuple[str, str, str, int]]  # severity, code, message, line
    # (line, column) of every amount kept in cells: printed, not landed
    kept: set[tuple[int, int]] = field(default_factory=set)


def _parent_key(row: Packed, keys: set[str], total: str | None) -> str | None:
    """The nearest printed ancestor of a row's code; the 合计 row where none is printed."""
    code = row.code
    if not code:
        return None
    for cut in range(len(code) - 2, 2, -2):
        if code[:cut] in keys:
            return code[:cut]
    return total


def _candidates(
    rows: list[Packed], measures: list[str], dataset: str
) -> list[list[tuple[int, ...]]]:
    """Each row's placements that its identities and the code hierarchy allow."""
    width = len(measures)
    rules = applicable(dataset, measures)
    candidates: list[list[tuple[int, ...]]] = []
    for row in rows:
        k = len(row.amounts)
        if row.fixed is not None:
            candidates.append([row.fixed])
        elif row.problem or k > width:
            candidates.append([])
        elif k == width:  # every column printed: nothing to decide (R02 checks what it says)
            candidates.append([tuple(range(width))])
        else:
            candidates.append(
                [p for p in _placements(width, k) if _fits(row.values, p, measures, rules)]
            )
    children = _children(rows)
    changed = True
    while changed:
        changed = False
        for parent, kids in children.items():
            group = [parent, *kids]
            options = [candidates[g] for g in group]
            if any(not o for o in options):
                continue
            size = 1
            for o in options:
                size *= len(o)
            if size == 1 or size > MAX_COMBINATIONS:
                continue
            kept: list[set[tuple[int, ...]]] = [set() for _ in group]
            tried: list[tuple[tuple[tuple[int, ...], ...], list[bool]]] = []
            for choice in itertools.product(*options):
                head_vector = _vector(rows[parent], choice[0], width)
                sums = [Decimal(0)] * width
                for g, p in zip(kids, choice[1:], strict=True):
                    for c, v in enumerate(_vector(rows[g], p, width)):
                        sums[c] += v
                tried.append((choice, [a == b for a, b in zip(sums, head_vector, strict=True)]))
            # a column that adds up in no placement (the document's own rounding, a misprint)
            # decides nothing; the others must add up exactly
            deciding = [c for c in range(width) if any(equal[c] for _, equal in tried)]
            for choice, equal in tried:
                if deciding and all(equal[c] for c in deciding):
                    for n, p in enumerate(choice):
                        kept[n].add(p)
            if not any(kept):
                continue  # the family does not add up in any placement: it decides nothing
            for n, g in enumerate(group):
                narrowed = [p for p in candidates[g] if p in kept[n]]
                if len(narrowed) < len(candidates[g]):
                    candidates[g] = narrowed
                    changed = True
    return candidates


def _children(rows: list[Packed]) -> dict[int, list[int]]:
    """Row index → the rows of the codes one level below it (类 rows under the 合计 row)."""
    by_code = {r.code: i for i, r in enumerate(rows) if r.code}
    total = next(
        (i for i, r in enumerate(rows) if not r.code and s.TOTAL_LABEL.match(compact(r.name))),
        None,
    )
    keys = set(by_code)
    children: dict[int, list[int]] = {}
    for i, row in enumerate(rows):
        parent = _parent_key(row, keys, "__total__" if total is not None else None)
        if parent is None:
            continue
        at = total if parent == "__total__" else by_code[parent]
        if at is not None and at != i:
            children.setdefault(at, []).append(i)
    return children


@dataclass
class Decision:
    """Where a row's amounts go: amount index → measure, for the amounts that are decided."""

    agreed: dict[int, str]
    note: tuple[str, str, str, int] | None = None


def decide(rows: list[Packed], head: Header, dataset: str) -> list[Decision]:
    """Each row's decided amounts (every order the header allows, every placement that fits).

    An amount is decided where every remaining placement of its row, under every column order
    the header allows (:meth:`Header.orders`), puts it in the same column. The note says what
    was derived, or what stays in cells and why.
    """
    orders = head.orders()
    measures_out, texts_out = orders[-1]
    width = len(measures_out)
    found: list[list[dict[int, str] | None]] = [[] for _ in rows]
    counts: list[int] = [0] * len(rows)
    for measures, _ in orders:
        for r, options in enumerate(_candidates(rows, measures, dataset)):
            counts[r] = max(counts[r], len(options))
            if not options:
                found[r].append(None)
                continue
            first = options[0]
            found[r].append(
                {
                    a: measures[first[a]]
                    for a in range(len(first))
                    if all(p[a] == first[a] for p in options)
                }
            )
    out: list[Decision] = []
    for r, row in enumerate(rows):
        line = row.row.line
        if row.problem:
            out.append(
                Decision({}, ("warning", "packed_row", f"{row.problem}: kept in cells", line))
            )
            continue
        if any(f is None for f in found[r]):
            note = (
                "warning",
                "columns_undecided",
                f"{len(row.amounts)} amounts for {width} columns ({', '.join(texts_out)}) fit "
                "no placement the table's identities allow: kept in cells",
                line,
            )
            out.append(Decision({}, note if row.amounts else None))
            continue
        first, *others = found[r]
        agreed = {a: m for a, m in first.items() if all(f.get(a) == m for f in others)}  # type: ignore[union-attr]
        left = [row.amounts[a] for a in range(len(row.amounts)) if a not in agreed]
        note = None
        if left:
            note = (
                "warning",
                "columns_undecided",
                f"the columns of {', '.join(left)} are not decided by the table's identities "
                f"({counts[r]} placements fit): kept in cells",
                line,
            )
        elif row.fixed is None and row.amounts and len(row.amounts) < width:
            where = ", ".join(
                f"{row.amounts[a]} as {texts_out[measures_out.index(m)]}" for a, m in agreed.items()
            )
            note = ("info", "columns_derived", f"placed by the table's arithmetic: {where}", line)
        out.append(Decision(agreed, note))
    return out


def place(family: str, dataset: str, head: Header, body: list[Row]) -> Placed:
    """Place every packed body row's amounts under the table's amount columns (see module).

    The placed rows print the codes under 类/款/项, the name, then one cell per amount column
    (the order of :meth:`Header.orders`' last), then the amounts not placed.
    """
    rows = [split(r) for r in body]
    measures_out, _ = head.orders()[-1]
    width = len(measures_out)
    placed_rows: list[Row] = []
    notes: list[tuple[str, str, str, int]] = []
    kept: set[tuple[int, int]] = set()
    for row, decision in zip(rows, decide(rows, head, dataset), strict=True):
        cells = [""] * len(LEVEL_LABELS) + [row.name] + [""] * width
        for n, code in enumerate(row.codes[: len(LEVEL_LABELS)]):
            cells[n] = code
        if decision.note:
            notes.append(decision.note)
        if row.problem:
            origin = {len(cells) + n: n for n in range(len(row.row.cells))}
            kept |= _amounts_at(row.row.cells, row.row.line, len(cells))
            placed_rows.append(
                replace(row.row, cells=cells + row.row.cells, packed=False, origin=origin)
            )
            continue
        origin = {}
        for a, measure in decision.agreed.items():
            col = len(LEVEL_LABELS) + 1 + measures_out.index(measure)
            cells[col], origin[col] = row.amounts[a], row.positions[a]
        left = [n for n in range(len(row.amounts)) if n not in decision.agreed]
        for k, n in enumerate(left):
            origin[len(cells) + k] = row.positions[n]
        kept |= _amounts_at([row.amounts[n] for n in left], row.row.line, len(cells))
        placed_rows.append(
            replace(
                row.row,
                cells=cells + [row.amounts[n] for n in left],
                packed=False,
                origin=origin,
            )
        )
    return Placed(placed_rows, notes, kept)


def _amounts_at(cells: list[str], line: int, start: int) -> set[tuple[int, int]]:
    """(line, column) of the amounts among ``cells`` placed from column ``start`` on."""
    return {(line, start + n) for n, c in enumerate(cells) if s.AMOUNT.match(compact(c))}


def place_short(
    dataset: str,
    measure_columns: list[tuple[int, str, str]],
    label_columns: list[int],
    levels: list[int],
    body: list[Row],
) -> Placed:
    """Place the short rows of a table whose other rows print every cell under its column.

    Text split into cells can lose a row's empty cells (``201 | 一般公共服务支出 | 100 | 100``
    under 科目编码 | 科目名称 | 合计 | 基本支出 | 项目支出). A row as wide as the table keeps its
    cells where they are (its amounts are fixed in the arithmetic, as printed); a shorter row is
    split into codes, name and amounts (:func:`split`) and its amounts placed by the table's
    identities and hierarchy (:func:`decide`). The rebuilt row puts its code parts under the
    ``levels`` columns (类/款/项) or, joined, under the first label column, its name under the
    next label column, and its decided amounts under their columns; what is not decided follows
    the table's last column, in cells.

    Args:
        dataset: the landed dataset (its identities are the arithmetic).
        measure_columns: (column index, measure, header text) of each amount column, in order.
        label_columns: the label columns' indexes, in order.
        levels: the indexes of the 类, 款 and 项 columns where the table prints them.
        body: the body rows as printed.
    """
    width = max(c for c, _, _ in measure_columns) + 1
    width = max(width, *(c + 1 for c in label_columns)) if label_columns else width
    index_of = {col: n for n, (col, _, _) in enumerate(measure_columns)}
    rows: list[Packed] = []
    labels_of: list[list[str] | None] = []  # a short row's label cells, where one per column
    for row in body:
        if len(row.cells) >= width:
            amounts = [
                (index_of[c], cell)
                for c, cell in enumerate(row.cells)
                if c in index_of and cell.strip() and s.AMOUNT.match(compact(cell))
            ]
            label_cells = [row.cells[c] for c in label_columns if c < len(row.cells)]
            labels = split(replace(row, cells=label_cells))
            rows.append(
                Packed(
                    row,
                    labels.codes,
                    labels.name,
                    [a for _, a in amounts],
                    [Decimal(compact(a).replace(",", "")) for _, a in amounts],
                    fixed=tuple(n for n, _ in amounts),
                )
            )
            labels_of.append(None)
            continue
        # the amounts are the row's last cells; what comes before them is its labels
        cells = list(row.cells)
        tail = len(cells)
        while tail > 0 and (
            not cells[tail - 1].strip() or s.AMOUNT.match(compact(cells[tail - 1]))
        ):
            tail -= 1
        head_cells = cells[:tail]
        at = [i for i in range(tail, len(cells)) if cells[i].strip()]  # the amounts' columns
        amounts = [cells[i] for i in at]
        parsed = split(replace(row, cells=[*head_cells, *amounts]))
        # in that list the amounts follow the head cells: index tail + k is printed at at[k]
        parsed.positions = [at[p - tail] if p >= tail else p for p in parsed.positions]
        if len(head_cells) == len(label_columns):  # every label printed: codes from their cells
            codes = split(replace(row, cells=head_cells[:1])).codes
            parsed = replace(parsed, codes=codes or parsed.codes, amounts=amounts, problem=None)
            parsed.values = [Decimal(compact(a).replace(",", "")) for a in amounts]
            parsed.positions = at
            labels_of.append(head_cells)
        else:
            labels_of.append(None)
        rows.append(parsed)
    head = Header([m for _, m, _ in measure_columns], [h for _, _, h in measure_columns])
    placed_rows: list[Row] = []
    notes: list[tuple[str, str, str, int]] = []
    kept: set[tuple[int, int]] = set()
    decisions = decide(rows, head, dataset)
    for row, decision, printed_labels in zip(rows, decisions, labels_of, strict=True):
        if row.fixed is not None:
            placed_rows.append(row.row)
            continue
        if decision.note:
            notes.append(decision.note)
        cells = [""] * width
        names = [c for c in label_columns if c not in levels]
        if printed_labels is not None:
            for col, cell in zip(label_columns, printed_labels, strict=True):
                cells[col] = cell
        else:
            if levels and len(row.codes) <= len(levels):
                for n, code in enumerate(row.codes):
                    cells[levels[n]] = code
            elif row.codes and names:
                cells[names.pop(0)] = "".join(row.codes)
            if names:
                cells[names[0]] = row.name
        if row.problem:
            origin = {width + n: n for n in range(len(row.row.cells))}
            kept |= _amounts_at(row.row.cells, row.row.line, width)
            placed_rows.append(replace(row.row, cells=cells + row.row.cells, origin=origin))
            continue
        origin = {}
        for a, measure in decision.agreed.items():
            col = measure_columns[head.measures.index(measure)][0]
            cells[col], origin[col] = row.amounts[a], row.positions[a]
        left = [n for n in range(len(row.amounts)) if n not in decision.agreed]
        for k, n in enumerate(left):
            origin[width + k] = row.positions[n]
        kept |= _amounts_at([row.amounts[n] for n in left], row.row.line, width)
        placed_rows.append(
            replace(row.row, cells=cells + [row.amounts[n] for n in left], origin=origin)
        )
    return Placed(placed_rows, notes, kept)
