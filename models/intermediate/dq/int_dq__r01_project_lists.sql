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

{{ dq_parent_sum_checks('pairs', 'cells', children_noun='projects') }}

select * from final
