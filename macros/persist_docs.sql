{#
  persist_docs (on for every model, dbt_project.yml) writes the model and column descriptions as
  DuckDB comments. An incremental run of an incremental model adds and deletes rows of a table
  that already carries its comments (written when the table was created), so it skips the
  statements: they cost a rebuild one column lookup and one statement per model.
#}
{% macro duckdb__persist_docs(relation, model, for_relation, for_columns) -%}
    {%- if not is_incremental() -%}
        {%- do default__persist_docs(relation, model, for_relation, for_columns) -%}
    {%- endif -%}
{%- endmacro %}
