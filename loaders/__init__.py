"""Loaders for Chinese government budget disclosure documents.

Pure functions turn the bytes of one disclosure (a PDF or a converter's text) into typed rows
(:func:`loaders.document.parse_bytes`); the CLI (:mod:`loaders.cli`) does the I/O: reading
files, writing Parquet datasets, the manifest and the coverage report.
"""

import importlib.metadata as _metadata  # not `version`: loaders.version is a module

try:
    __version__ = _metadata.version("budget-warehouse")  # written once, in pyproject.toml
except _metadata.PackageNotFoundError:  # imported from a source tree that is not installed
    __version__ = "0+unknown"
