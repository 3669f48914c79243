"""The repository stands alone: no tracked file points at a path outside it.

Every markdown link to a local file resolves to a tracked file, and no relative path written in
any tracked text file (``../x``, read from the file's own folder) leaves the repository.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# a markdown link target: not a URL, not an anchor, not a mail address
LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")
UP = re.compile(r"(?<![\w.])((?:\.\./)+[\w./-]*)")


def _tracked() -> list[Path]:
    names = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    return [ROOT / name.decode() for name in names if name]


def _text(path: Path) -> str | None:
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _outside(path: Path, target: str) -> bool:
    resolved = (path.parent / target).resolve()
    return not resolved.is_relative_to(ROOT)


def test_no_tracked_file_points_outside_the_repository():
    tracked = _tracked()
    assert len(tracked) > 50
    known = {p.resolve() for p in tracked}
    problems = []
    for path in tracked:
        text = _text(path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            where = f"{path.relative_to(ROOT)}:{number}"
            for target in UP.findall(line):
                if _outside(path, target):
                    problems.append(f"{where}: {target} leaves the repository")
            if path.suffix == ".md":
                for target in LINK.findall(line):
                    if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, mailto:, …
                        continue
                    if (path.parent / target).resolve() not in known and not (
                        (path.parent / target).is_dir()
                    ):
                        problems.append(f"{where}: link to {target}, not a tracked file")
    assert not problems, "\n".join(problems)


def test_the_check_finds_a_path_outside():
    # the checks above, on lines that would point outside the repository (built here, so this
    # file does not hold such a line itself)
    outside = "../" * 2 + "shared/DESIGN.md"
    here = ROOT / "docs" / "design.md"
    assert _outside(here, outside)
    assert not _outside(here, "../deploy/cron.example")
    assert UP.findall(f"see {outside} §4") == [outside]
    assert LINK.findall(f"[the brief]({outside}#mart)") == [outside]
