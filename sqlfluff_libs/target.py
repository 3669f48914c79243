"""Stand-in for dbt's ``target`` object when sqlfluff renders SQL with the jinja templater.

sqlfluff imports every module in ``sqlfluff_libs/`` (``library_path`` in ``.sqlfluff``) and
exposes it to jinja under the module name, so ``{{ target.name }}`` renders as ``dev``.
"""

name = "dev"
type = "duckdb"
schema = "main"
database = "budget"
threads = 2
