"""The parser fingerprint reads imports by a pattern: it must read what Python reads."""

from __future__ import annotations

import ast
from pathlib import Path

from loaders import version


def _ast_imports(source: str) -> tuple[set[str], set[str]]:
    """The reference: the imports as Python's own parser sees them."""
    ours: set[str] = set()
    others: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [node.module]
            if node.module == "loaders":
                names = [f"loaders.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            top, _, rest = name.partition(".")
            if top == "loaders":
                ours.add(rest.split(".")[0])
            else:
                others.add(top)
    return ours, others


def test_every_loaders_module_reads_as_python_parses_it() -> None:
    modules = sorted(version.PACKAGE_DIR.glob("*.py"))
    assert len(modules) > 10
    for path in modules:
        expected = _ast_imports(path.read_text(encoding="utf-8"))
        assert version._imports(path.stem) == expected, path.name


def test_comments_lazy_imports_and_prose(tmp_path: Path, monkeypatch) -> None:
    source = '''"""A module.

import the tables of a document (prose, not a statement)
"""
import os, re as regex  # two modules
from loaders import (
    amounts,  # a comment inside the list
    segment as seg,
)
from . import sibling


def read():
    from loaders.pdf import read_pdf  # a lazy import inside a function

    import pypdfium2.raw
'''
    (tmp_path / "example.py").write_text(source, encoding="utf-8")
    monkeypatch.setattr(version, "PACKAGE_DIR", tmp_path)
    assert version._imports("example") == ({"amounts", "segment", "pdf"}, {"os", "re", "pypdfium2"})
    assert version._imports("example") == _ast_imports(source)
