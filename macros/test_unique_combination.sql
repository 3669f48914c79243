{#-
    Generic test: no two rows share the same values in the given columns (a composite key).
    Our own version of dbt_utils.unique_combination_of_columns (dbt Hub packages cannot be
    installed here). Returns one failing row per duplicated combination, with its row count.
    Rows where a key column is null are compared like any other value (null = null here).

    Arguments:
        combination_of_columns (list of string): the columns that together form the key.
        quote_columns (bool, default false): quote the column names (for names that need it).
-#}
{% test unique_combination_of_columns(model, combination_of_columns, quote_columns=false) %}

{%- set key_columns = [] -%}
{%- for column in combination_of_columns -%}
    {%- do key_columns.append(adapter.quote(column) if quote_columns else column) -%}
{%- endfor %}

with

duplicated_keys as (

    select
        {{ key_columns | join(',\n        ') }},
        count(*) as n_rows
    from {{ model }}
    group by {{ key_columns | join(', ') }}
    having count(*) > 1

)

select * from duplicated_keys

{% endtest %}
