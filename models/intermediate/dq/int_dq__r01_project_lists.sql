-- R01 on the project lists: the 合计 row equals the sum of the projects; a budget-unit row equals
-- the sum of that unit's projects; a class/section row (printed inside a unit) equals the sum of
-- that unit's projects whose function code it prefixes. Compared per printed column.

with

printed_rows as (

    select * from {{ ref('int_project_rows_pivoted') }}

),

cells as (

    select * from {{ ref('stg_landed__project_rows') }}

),

tables as (

    select * from {{ ref('stg_landed__tables') }}

),

items as (

    select * from printed_rows
    where row_role = 'item'

),

pairs as (

    select
        parents.document_id,
        parents.table_id,
        parents.source_line as parent_line,
        coalesce(parents.project_name, parents.budget_unit, parents.function_code, '合计') as parent_label,
        items.source_line as child_line
    from printed_rows as parents
    inner join items
        on
            parents.table_id = items.table_id
            and (
                parents.row_role = 'total'
                or (parents.row_role = 'unit' and parents.budget_unit = items.budget_unit)
                or (
                    parents.row_role in ('class', 'section')
                    and parents.budget_unit = items.budget_unit
                    and starts_with(items.function_code, parents.function_code)
                )
            )
    where parents.row_role in ('total', 'unit', 'class', 'section')

),

parents as (

    select distinct
        document_id,
        table_id,
        parent_line,
        parent_label
    from pairs

),

checks as (

    select
        parent_cells.document_id,
        parent_cells.table_id,
        parents.parent_line,
        parents.parent_label,
        parent_cells.measure,
        parent_cells.amount as printed_amount,
        coalesce(sum(child_cells.amount), 0) as children_sum,
        count(distinct pairs.child_line) as n_children
    from parents
    inner join cells as parent_cells
        on
            parents.table_id = parent_cells.table_id
            and parents.parent_line = parent_cells.source_line
    inner join pairs
        on
            parents.table_id = pairs.table_id
            and parents.parent_line = pairs.parent_line
    left join cells as child_cells
        on
            pairs.table_id = child_cells.table_id
            and pairs.child_line = child_cells.source_line
            and parent_cells.measure = child_cells.measure
    group by all

),

final as (

    select
        checks.document_id,
        'R01' as rule_id,
        {{ dq_status('checks.printed_amount', 'checks.children_sum', dq_tolerance('checks.n_children')) }}
            as status,
        tables.title_as_printed || ' line ' || checks.parent_line || ' ' || checks.parent_label
        || ' [' || checks.measure || ']' as subject,
        checks.children_sum as expected,
        checks.printed_amount as actual,
        checks.printed_amount - checks.children_sum as difference,
        {{ dq_tolerance('checks.n_children') }} as tolerance,
        '《' || tables.title_as_printed || '》 line ' || checks.parent_line || ' (' || checks.parent_label
        || ') prints ' || {{ dq_num('checks.printed_amount') }} || ' in column ' || checks.measure || '; its '
        || checks.n_children || ' projects sum to ' || {{ dq_num('checks.children_sum') }}
        || ' (difference ' || {{ dq_num('checks.printed_amount - checks.children_sum') }} || ').' as message,
        checks.table_id as source_table,
        checks.parent_line as source_line
    from checks
    inner join tables
        on checks.table_id = tables.table_id

)

select * from final
