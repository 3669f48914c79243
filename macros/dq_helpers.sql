{#-
    Helpers shared by the document-quality rule models (models/intermediate/dq/, docs/design.md §5).

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

{#-
    dq_parent_sum_checks(pairs, cells, match_columns, children_noun): the shared body of the R01
    models. Given a CTE `pairs` (document_id, table_id, parent_line, parent_label, child_line)
    and a relation of landed cells (table_id, source_line, measure, amount, …), emits the CTEs
    `parents`, `checks` and `final`: for every column printed on a parent row, the printed
    amount against the sum of the same column over its children (blank = zero), with the
    standard check columns. `match_columns` are the cell columns a child cell must share with
    the parent cell (measure, and the printed header where a measure repeats). `group_column`
    names a column of `pairs` and `cells` (column_group) that splits one printed line into the
    groups of columns a table prints side by side: parent and child cells are of the pair's group.
-#}
{% macro dq_parent_sum_checks(
    pairs, cells, match_columns=['measure'], children_noun='rows printed under it', group_column=none
) %}

parents as (

    select distinct
        document_id,
        table_id,
        parent_line,
        {% if group_column %}{{ group_column }},
        {% endif %}parent_label
    from {{ pairs }}

),

checks as (

    select
        parent_cells.document_id,
        parent_cells.table_id,
        parents.parent_line,
        parents.parent_label,
        {% for column in match_columns %}parent_cells.{{ column }},
        {% endfor %}parent_cells.amount as printed_amount,
        coalesce(sum(child_cells.amount), 0) as children_sum,
        count(distinct {{ pairs }}.child_line) as n_children
    from parents
    inner join {{ cells }} as parent_cells
        on
            parents.table_id = parent_cells.table_id
            and parents.parent_line = parent_cells.source_line
            {% if group_column %}and parents.{{ group_column }} = parent_cells.{{ group_column }}
            {% endif %}
    inner join {{ pairs }}
        on
            parents.table_id = {{ pairs }}.table_id
            and parents.parent_line = {{ pairs }}.parent_line
            {% if group_column %}and parents.{{ group_column }} = {{ pairs }}.{{ group_column }}
            and parents.parent_label = {{ pairs }}.parent_label
            {% endif %}
    left join {{ cells }} as child_cells
        on
            {{ pairs }}.table_id = child_cells.table_id
            and {{ pairs }}.child_line = child_cells.source_line
            {% if group_column %}and {{ pairs }}.{{ group_column }} = child_cells.{{ group_column }}
            {% endif %}
            {% for column in match_columns %}and parent_cells.{{ column }} = child_cells.{{ column }}
            {% endfor %}
    group by all

),

check_tables as (

    select * from {{ ref('stg_landed__tables') }}

),

final as (

    select
        checks.document_id,
        'R01' as rule_id,
        {{ dq_status('checks.printed_amount', 'checks.children_sum', dq_tolerance('checks.n_children')) }}
            as status,
        check_tables.title_as_printed || ' line ' || checks.parent_line || ' ' || checks.parent_label
        || ' [' || checks.measure || ']' as subject,
        checks.children_sum as expected,
        checks.printed_amount as actual,
        checks.printed_amount - checks.children_sum as difference,
        {{ dq_tolerance('checks.n_children') }} as tolerance,
        '《' || check_tables.title_as_printed || '》 line ' || checks.parent_line || ' ('
        || checks.parent_label || ') prints ' || {{ dq_num('checks.printed_amount') }} || ' in column '
        || checks.measure || '; the ' || checks.n_children || ' {{ children_noun }} sum to '
        || {{ dq_num('checks.children_sum') }} || ' (difference '
        || {{ dq_num('checks.printed_amount - checks.children_sum') }} || ').' as message,
        checks.table_id as source_table,
        checks.parent_line as source_line
    from checks
    inner join check_tables
        on checks.table_id = check_tables.table_id

)

{% endmacro %}
