"""Reading text: decode bytes (UTF-8 with/without BOM, GB18030/GBK), normalise, compact.

:func:`decode` is pure (bytes in, text out) and :func:`read_text` turns the text into the
document model (:mod:`loaders.model`), so the CLI stays the only place that touches files.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from loaders import settings as s
from loaders.errors import InputError
from loaders.model import Document, Line

# full-width forms seen in PDF-converted text, folded to half-width for matching only
_FOLD = str.maketrans(
    {
        "（": "(",
        "）": ")",
        "：": ":",
        "，": ",",
        "．": ".",
        "　": " ",
        "－": "-",
        "−": "-",
        **{chr(0xFF10 + i): str(i) for i in range(10)},
    }
)


_LETTER = re.compile(r"[^\W\d_]")
# control characters that do not belong in text (a form feed is a page break, not binary)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Decoded:
    """Decoded document text and how it was decoded."""

    text: str
    encoding: str


def decode(data: bytes, source: str) -> Decoded:
    """Decode the bytes of a text document.

    Tries UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK and GB2312).
    Rejects empty and binary input.

    Args:
        data: the raw file content.
        source: file name, used in error messages.

    Returns:
        The decoded text with line endings normalised to LF, and the encoding used.

    Raises:
        InputError: the file is empty, binary, or in no supported encoding.
    """
    if not data.strip():
        raise InputError(source, None, "empty file: no text to parse")
    if b"\x00" in data[:4096]:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise InputError(source, line, "binary file: contains NUL bytes, not a text document")
    encoding = "utf-8"
    if data.startswith(b"\xef\xbb\xbf"):
        data, encoding = data[3:], "utf-8-sig"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("gb18030")
            encoding = "gb18030"
        except UnicodeDecodeError:
            line = data[: utf8_error.start].count(b"\n") + 1
            raise InputError(
                source,
                line,
                f"unreadable encoding: byte {data[utf8_error.start]:#04x} at offset "
                f"{utf8_error.start} is neither UTF-8 nor GB18030/GBK",
            ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not _LETTER.search(text[:20000]):
        raise InputError(source, None, "no readable text: the file holds no letters or characters")
    control = len(_CONTROL.findall(text[:20000]))
    if control > 20:
        raise InputError(source, None, f"binary file: {control} control characters in the text")
    return Decoded(unicodedata.normalize("NFC", text), encoding)


def content_hash(text: str) -> str:
    """Hash of the normalised content: the same document in any encoding or name hashes alike."""
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


@lru_cache(maxsize=1 << 16)
def fold(value: str) -> str:
    """Fold full-width punctuation and digits to half-width and strip; keeps inner spaces."""
    return unicodedata.normalize("NFKC", value).translate(_FOLD).strip()


@lru_cache(maxsize=1 << 16)
def compact(value: str) -> str:
    """:func:`fold`, then remove all whitespace: the form used for matching names and titles."""
    return "".join(fold(value).split())


def read_text(decoded: Decoded) -> Document:
    """The document model of converter text: tab-separated, else :mod:`loaders.spaced`.

    Tab-separated text (the samples' dialect) is read here; text whose tables are printed with
    spaces or one cell per line goes to :func:`loaders.spaced.read_spaced`.

    A line holding a tab is a table row (its cells are the tab-separated fields), unless it is
    a table-of-contents line with dot leaders; any other line is a text line. A form feed, or a
    converter's page-marker line (``-- PAGE_BREAK --``, ``-- 3 of 20 --``), starts a new page;
    a marker line is not text. Line numbers are the text's.
    """
    if "\t" not in decoded.text or not _tab_rows(decoded.text):
        from loaders.spaced import read_spaced

        return read_spaced(decoded)
    lines: list[Line] = []
    append = lines.append
    page = 1
    paged = "\f" in decoded.text
    leader = s.DOT_LEADER.search
    for number, line in enumerate(decoded.text.split("\n"), 1):
        if paged and "\f" in line:
            page += line.count("\f")
            line = line.replace("\f", "")
        if not line or line.isspace():
            continue
        if line[:2] == "--" and s.PAGE_MARKER.match(line):
            page += 1
            continue
        if "\t" in line and (("...." not in line and "…" not in line) or not leader(line)):
            append(Line(number, page, line.split("\t"), True))
        else:
            append(Line(number, page, [line], False))
    # a trailing form feed or marker (after the last page) starts no page
    pages = lines[-1].page if lines else 1
    return Document(lines, pages, "tsv", decoded.encoding, text=decoded.text)


def _tab_rows(text: str) -> bool:
    """Does the text print a tab-separated row (a tab between two cells, not a TOC line)?"""
    return any("\t" in line.strip() and not s.DOT_LEADER.search(line) for line in text.split("\n"))
