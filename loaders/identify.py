"""Identity of a document from its content: title, department, fiscal year, disclosure kind."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from loaders import settings as s
from loaders.text import compact, fold

_TITLE_WORDS = re.compile(
    r"(?:19|20)\d{2}\s*年度?|(?:区级|市级|省级|县级|本级)?(?:部门|单位)?(?:综合)?(?:预算|决算)"
    r"(?:信息)?(?:公开)?(?:说明)?|信息公开|公开|说明"
)
_TOC = re.compile(r"^#*\s*目\s*录\s*$")
_YEAR_LINE = re.compile(r"^\s*[(（]\s*((?:19|20)\d{2})\s*年度?\s*[)）]\s*$", re.M)
_NAME_CELL = re.compile(r"(?:^|\t)\s*部门名称\s*(?:\t\s*)+([^\t\n]+?)\s*(?:\t|$)", re.M)
_KIND_IN_TITLES = re.compile(r"^(?:预算|决算)\s*\d+\s*表", re.M)
_DATE_LINE = re.compile(r"^(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?$|^\d{1,3}$")


@dataclass(frozen=True)
class Identity:
    """What a document says about itself."""

    title: str | None
    department_name: str | None
    department_names_seen: list[str]
    fiscal_year: int | None
    disclosure_kind: str | None
    disclosure_level: str | None = None


def identify(text: str, department_lines: list[str]) -> Identity:
    """Read the document's identity from its cover block and its tables' department lines.

    The cover block is the text before the table of contents (or the first table): a title,
    maybe wrapped over several lines, and a line naming who the budget is for
    (``预算主管部门：`` for a department, ``预算单位：`` for one budget unit).

    Args:
        text: the document as text (:attr:`loaders.model.Document.text`).
        department_lines: the names printed on the tables' 编制部门/部门名称/编制单位 lines.

    Returns:
        Title, department name as the document names itself, every name variant printed,
        fiscal year, disclosure kind (``budget`` / ``final_accounts``) and level
        (``department`` / ``unit``).
    """
    head: list[str] = []
    named: list[tuple[str, str]] = []  # (label, name) of 预算主管部门：/预算单位：… lines
    for line in text.split("\n")[:40]:
        if _TOC.match(compact(line)) or "\t" in line:
            break
        stripped = re.sub(r"</?b>|\*\*|^#+", "", line).strip()
        if not stripped or _DATE_LINE.match(compact(stripped)):
            continue
        if m := s.DEPARTMENT_LINE.match(compact(fold(stripped))):
            named.append((m.group("label"), m.group("name")))
            continue
        head.append(stripped)
        if len(head) == 4:
            break
    title = _title(head)
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
    if year is None or not title:
        # a tables-only file (one part of a two-file disclosure): the year and the department
        # printed inside its tables ("（2026年度）", a 部门名称 cell)
        if m := _YEAR_LINE.search(text):
            year = int(m.group(1))
        if m := _NAME_CELL.search(text):
            named.append(("部门名称", compact(m.group(1))))
        if kind is None and (m := _KIND_IN_TITLES.search(text)):
            kind = "final_accounts" if "决" in m.group(0) else "budget"
    from_title = compact(_TITLE_WORDS.sub("", compact(title or ""))) or None
    from_cover = named[0][1] if named else None
    seen: list[str] = []
    for name in [from_cover, from_title, *department_lines]:
        if name and compact(name) not in seen:
            seen.append(compact(name))
    common = Counter(compact(n) for n in department_lines).most_common(1)
    department = from_cover or from_title or (common[0][0] if common else None)
    return Identity(title, department, seen, year, kind, _level(title, named, department_lines))


def _title(head: list[str]) -> str | None:
    """The title: the cover lines up to the one that says 预算/决算 (a title wrapped over lines)."""
    if not head:
        return None
    for end, line in enumerate(head):
        if re.search(r"预\s*算|决\s*算", line):
            if end == 0 or re.search(r"(?:19|20)\d{2}", head[0]) and "预算" in head[0]:
                return head[0] if end == 0 else compact("".join(head[: end + 1]))
            return compact("".join(head[: end + 1]))
    # a title broken inside a word (…部门预 / 算): join the first two lines
    return compact("".join(head[:2])) if len(head) > 1 else head[0]


def _level(title: str | None, named: list[tuple[str, str]], department_lines: list[str]) -> str:
    """``unit`` for one budget unit's disclosure (单位预算), else ``department``."""
    if title and re.search(r"单位(?:预算|决算)", compact(title)):
        return "unit"
    if named:
        return "unit" if named[0][0] in s.UNIT_LEVEL_LABELS else "department"
    return "department"
