"""Loaders for Chinese government budget disclosure documents.

Pure functions turn the bytes of one disclosure (a PDF or a converter's text) into typed rows
(:func:`loaders.document.parse_bytes`); the CLI (:mod:`loaders.cli`) does the I/O: reading
files, writing Parquet datasets, the manifest and the coverage report.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("budget-warehouse")  # written once, in pyproject.toml
except PackageNotFoundError:  # imported from a source tree that is not installed
    __version__ = "0+unknown"
