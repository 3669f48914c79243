"""Loaders for Chinese government budget disclosure documents.

Pure functions turn the text of one disclosure into typed rows
(:func:`loaders.document.parse_document`); the CLI (:mod:`loaders.cli`) does the
I/O: reading files, writing Parquet datasets, the manifest and the coverage report.
"""

__version__ = "0.1.0"
