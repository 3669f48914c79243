{#-
    Helpers to pivot the long landed datasets (one row per printed cell, `measure` naming the
    column) back into one column per measure.

    pivot_measures(measures, prefix='m_'):
        `sum(amount) filter (where measure = 'x') as m_x, ...` for every measure in the list;
        use inside a select that groups by the printed row.

    zero_fill_measures(measures, printed_list, relation, prefix='m_'):
        `case when list_contains(printed_list, 'x') then coalesce(relation.m_x, 0) end as m_x, ...`:
        blank = 0 for the columns a table prints, null for the columns it does not print.

    sum_of_columns(columns, prefix):
        `coalesce(prefix_a, 0) + coalesce(prefix_b, 0) + ...`.
-#}
{% macro pivot_measures(measures, prefix='m_') -%}
    {%- for m in measures -%}
        sum(amount) filter (where measure = '{{ m }}') as {{ prefix }}{{ m }}{{ ',\n        ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{% macro zero_fill_measures(measures, printed_list, relation, prefix='m_') -%}
    {%- for m in measures -%}
        case
            when list_contains({{ printed_list }}, '{{ m }}') then coalesce({{ relation }}.{{ prefix }}{{ m }}, 0)
        end as {{ prefix }}{{ m }}{{ ',\n        ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{% macro sum_of_columns(columns, prefix='') -%}
    {%- for c in columns -%}
        coalesce({{ prefix }}{{ c }}, 0){{ ' + ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{% macro prefixed_columns(columns, prefix='') -%}
    {%- for c in columns -%}
        {{ prefix }}{{ c }}{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{% macro renamed_columns(columns, from_prefix, to_prefix) -%}
    {%- for c in columns -%}
        {{ from_prefix }}{{ c }} as {{ to_prefix }}{{ c }}{{ ',\n        ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
