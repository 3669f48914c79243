"""Dagster definitions for the budget warehouse rebuild (``orchestration.definitions``).

Needs the ``orchestration`` extra (dagster, dagster-dbt): ``make test-orchestration`` installs it
into ``.venv-orchestration``. See docs/operations.md.
"""
