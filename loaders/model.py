"""The document model every reader produces and every later step reads.

A document is a sequence of :class:`Line` objects in reading order. A line is either a *table
row* (cells at fixed column positions, empty strings where a column prints nothing) or a *text
line* (title, unit line, narrative: its pieces as printed). Each line knows its page and its
position in the document; each cell of a PDF line knows its bounding box. Segmentation, family
detection, header interpretation and typed rows run on this model only, so a new input format
is a new reader and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# (x0, top, x1, bottom) in PDF points, origin at the page's top left corner
BBox = tuple[float, float, float, float]


@dataclass(slots=True)
class Line:
    """One printed line: a table row or a line of text.

    Attributes:
        number: 1-based position in the document. For text input, the source line number; for
            a PDF, the row's position in reading order over the whole document.
        page: 1-based page number (form feeds count pages in text input).
        cells: the cells as printed; a table row has one entry per column of its table.
        is_table: True for a table row, False for a text line.
        boxes: the bounding box of each cell (PDF input; x extent in characters for
            fixed-width text), else None.
        packed: the row lost its empty cells (a converter's text): its cells are in printed
            order, not under the table's columns (see :mod:`loaders.packed`).
        regrouped: a packed row whose cells were printed one per line and put together by the
            reader: which cells make one row is not printed, so none of its amounts is typed.
    """

    number: int
    page: int
    cells: list[str]
    is_table: bool
    boxes: list[BBox | None] | None = None
    packed: bool = False
    regrouped: bool = False

    @property
    def text(self) -> str:
        """The line as one string (cells joined by a space)."""
        cells = self.cells
        return cells[0] if len(cells) == 1 else " ".join(c for c in cells if c)


@dataclass
class Document:
    """A document as a reader produced it.

    Attributes:
        lines: every line in reading order.
        page_count: pages in the source (1 for text without page breaks).
        source_format: ``pdf`` or the text dialect (``tsv``, ``spaced``, ``fixed_width``,
            ``cell_per_line``).
        encoding: how the bytes were decoded (``binary`` for a PDF).
        text: the document as text (what identity, the table of contents and the content hash
            read): the decoded text for text input; for a PDF, one line per line, a table
            row's cells separated by tabs.
        notes: what the reader noticed (e.g. pages without a text layer).
    """

    lines: list[Line]
    page_count: int
    source_format: str
    encoding: str
    text: str = ""
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Text input keeps its decoded text; a PDF's text is its lines, one per line."""
        if not self.text:
            self.text = "\n".join(
                "\t".join(line.cells) if line.is_table else line.text for line in self.lines
            )
