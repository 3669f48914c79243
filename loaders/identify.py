"""Identity of a document from its content: title, department, fiscal year, disclosure kind."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from loaders import settings as s
from loaders.text import compact, fold

_TITLE_WORDS = re.compile(
    r"(?:19|20)\d{2}\s*年度?|部门(?:预算|决算)(?:公开)?(?:说明)?|(?:预算|决算)(?:公开)?(?:说明)?|公开|说明"
)
_TOC = re.compile(r"^#*\s*目\s*录\s*$")


@dataclass(frozen=True)
class Identity:
    """What a document says about itself."""

    title: str | None
    department_name: str | None
    department_names_seen: list[str]
    fiscal_year: int | None
    disclosure_kind: str | None


def identify(text: str, department_lines: list[str]) -> Identity:
    """Read the document's identity from its opening lines and its tables' department lines.

    Args:
        text: the decoded document text.
        department_lines: the names printed on the tables' 编制部门/部门名称/单位 lines.

    Returns:
        Title, department name as the document names itself, every name variant printed,
        fiscal year and disclosure kind (``budget`` / ``final_accounts``).
    """
    head: list[str] = []
    for line in text.split("\n")[:40]:
        if _TOC.match(line.strip()) or "\t" in line:
            break
        stripped = re.sub(r"</?b>|\*\*|^#+", "", line).strip()
        if stripped:
            head.append(stripped)
        if len(head) == 3:
            break
    title = " ".join(head[:2]) if head else None
    if head and len(head) > 1 and re.search(r"(?:19|20)\d{2}", head[0]) and "预算" in head[0]:
        title = head[0]
    year = None
    kind = None
    if title:
        folded = fold(title)
        if m := re.search(r"((?:19|20)\d{2})\s*年", folded):
            year = int(m.group(1))
        for name, words in s.DISCLOSURE_KINDS.items():
            if any(w in folded for w in words):
                kind = name
                break
    from_title = compact(_TITLE_WORDS.sub("", compact(title or ""))) or None
    seen: list[str] = []
    for name in [from_title, *department_lines]:
        if name and compact(name) not in seen:
            seen.append(compact(name))
    common = Counter(compact(n) for n in department_lines).most_common(1)
    department = from_title or (common[0][0] if common else None)
    return Identity(title, department, seen, year, kind)
