{#- Trim a text column and turn the empty string into null (staging helper). -#}
{% macro trim_to_null(column_name) -%}
    nullif(trim(cast({{ column_name }} as varchar)), '')
{%- endmacro %}
