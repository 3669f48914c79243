"""The parser's fingerprint: which code made a document's landed rows.

``settings.PARSER_VERSION`` is the version a person sets; the fingerprint changes by itself
whenever anything that decides the parsed rows changes: the source of every ``loaders`` module
the parse imports (found by reading their imports, starting from :mod:`loaders.document` and the
landed schema, :mod:`loaders.schema`), the versions of the third-party packages those modules
import (pypdfium2 reads the PDFs), the Unicode database text normalisation uses, and the dbt
project's vocabularies the parse reads (:data:`DATA_FILES`: the row identities). The load
records it for every landed document (manifest and ``documents`` rows) and parses a landed
document again when it differs.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import re
import sys
import unicodedata
from pathlib import Path

from loaders import settings as s

PACKAGE_DIR = Path(__file__).resolve().parent
# what a parse runs (and its lazy imports: loaders.pdf), and the landed rows' types
ROOTS = ("document", "schema")
# vocabularies of the dbt project that the parse reads too (loaders.packed: the row identities)
DATA_FILES = ("seeds/dq_identities.csv",)


# an import statement at the start of a line (the sources are ruff-formatted: one statement per
# line, a long name list in parentheses); a line of prose that starts with "import" is no
# statement (the names must be dotted identifiers up to the end of the line or a comment)
_NAME = r"[\w.]+(?:[ \t]+as[ \t]+\w+)?"
_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(?P<module>[\w.]+)[ \t]+import[ \t]+(?P<names>\([^)]*\)|[^\n#]+)"
    rf"|import[ \t]+(?P<plain>{_NAME}(?:[ \t]*,[ \t]*{_NAME})*)[ \t]*(?:#[^\n]*)?$)",
    re.MULTILINE,
)


def _imports(module: str) -> tuple[set[str], set[str]]:
    """The ``loaders`` modules and the other top-level modules a module's source imports.

    Read from the import statements by a pattern (parsing the sources took a tenth of a second
    of every load).
    """
    source = (PACKAGE_DIR / f"{module}.py").read_text(encoding="utf-8")
    ours: set[str] = set()
    others: set[str] = set()
    for m in _IMPORT.finditer(source):
        if m["plain"]:
            names = [name.split(" as ")[0].strip() for name in m["plain"].split(",")]
        elif m["module"] == "loaders":  # from loaders import settings as s
            listed = re.sub(r"#[^\n]*", "", m["names"]).strip("()").split(",")
            names = [f"loaders.{name.split(' as ')[0].strip()}" for name in listed if name.strip()]
        elif m["module"].startswith("."):
            continue  # relative: within the package (not used here)
        else:
            names = [m["module"]]
        for name in names:
            top, _, rest = name.partition(".")
            if top == "loaders":
                ours.add(rest.split(".")[0])
            elif top:
                others.add(top)
    return ours, others


def parser_modules() -> tuple[list[str], list[str]]:
    """The ``loaders`` modules that decide parsed rows, and the packages they import (sorted)."""
    seen: set[str] = set()
    packages: set[str] = set()
    todo = list(ROOTS)
    while todo:
        module = todo.pop()
        if module in seen or not (PACKAGE_DIR / f"{module}.py").is_file():
            continue
        seen.add(module)
        ours, others = _imports(module)
        todo.extend(ours - seen)
        packages |= {name for name in others if name not in sys.stdlib_module_names}
    return sorted(seen), sorted(packages)


def _package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        dists = importlib.metadata.packages_distributions().get(name, [])
        return ",".join(f"{d}=={importlib.metadata.version(d)}" for d in sorted(dists)) or "?"


@functools.cache
def parser_fingerprint() -> str:
    """16 hex digits of SHA-256 over the parser's sources and libraries (once per process)."""
    digest = hashlib.sha256(f"version {s.PARSER_VERSION}\0".encode())
    modules, packages = parser_modules()
    for module in modules:
        digest.update(f"module {module}\0".encode() + (PACKAGE_DIR / f"{module}.py").read_bytes())
    from loaders.project import project_dir

    for name in DATA_FILES:
        digest.update(f"\0data {name}\0".encode() + (project_dir() / name).read_bytes())
    for package in packages:
        digest.update(f"\0package {package}=={_package_version(package)}".encode())
    digest.update(f"\0unicode {unicodedata.unidata_version}".encode())
    return digest.hexdigest()[:16]
