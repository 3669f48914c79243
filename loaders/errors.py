"""Errors the loaders raise for bad input: each names the file and, where it applies, the line."""

from __future__ import annotations


class InputError(Exception):
    """A document that cannot be loaded, with the file and line to look at."""

    def __init__(self, source: str, line: int | None, reason: str) -> None:
        """Record where the problem is and what it is."""
        self.source = source
        self.line = line
        self.reason = reason
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {reason}")
