{#-
    Generic test: none of the listed columns is null. One test node per model instead of one
    not_null node per column (each dbt node costs every rebuild tens of milliseconds). Returns the
    rows with a null in any listed column.
-#}
{% test not_null_columns(model, column_names) %}

    select *
    from {{ model }}
    where
        {% for column_name in column_names -%}
            {{ column_name }} is null{% if not loop.last %} or {% endif %}
        {% endfor %}

{% endtest %}
