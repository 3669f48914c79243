{#-
    Helpers shared by the document-quality rule models (models/intermediate/dq/, DESIGN.md §5).

    dq_tolerance(n_addends): the allowed rounding difference, var('dq_tolerance_per_addend')
        (0.01 万元 by default) times the number of addends.
    dq_status(actual, expected, tolerance): 'pass' when |actual - expected| <= tolerance.
    dq_num(expr): an amount as printed-looking text for messages (no trailing zeros).
-#}
{% macro dq_tolerance(n_addends) -%}
    cast({{ var('dq_tolerance_per_addend') }} as decimal(20, 6)) * greatest(1, {{ n_addends }})
{%- endmacro %}

{% macro dq_status(actual, expected, tolerance) -%}
    case when abs(({{ actual }}) - ({{ expected }})) <= ({{ tolerance }}) then 'pass' else 'fail' end
{%- endmacro %}

{% macro dq_num(expr) -%}
    coalesce(rtrim(rtrim(cast(cast({{ expr }} as decimal(38, 6)) as varchar), '0'), '.'), '—')
{%- endmacro %}
