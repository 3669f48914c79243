-- R01 on the revenue tables printed by function code (收入总表): the 合计 row equals the sum of
-- the 类 rows, a 类 row the sum of its 款 rows, a 款 row the sum of its 项 rows (by code prefix),
-- per printed column. Tables that list budget units instead of codes are not summed (units nest).

with

cells as (

    select * from {{ ref('stg_landed__revenue_rows') }}

),

printed_rows as (

    select distinct
        document_id,
        table_id,
        source_line,
        row_role,
        function_code
    from cells

),

tables as (

    select * from {{ ref('stg_landed__tables') }}

),

pairs as (

    select
        parents.document_id,
        parents.table_id,
        parents.source_line as parent_line,
        coalesce(parents.function_code, '合计') as parent_label,
        children.source_line as child_line
    from printed_rows as parents
    inner join printed_rows as children
        on
            parents.table_id = children.table_id
            and children.function_code is not null
            and (
                (parents.row_role = 'total' and length(children.function_code) = 3)
                or (
                    parents.function_code is not null
                    and length(children.function_code) = length(parents.function_code) + 2
                    and starts_with(children.function_code, parents.function_code)
                )
            )
    where parents.row_role in ('total', 'class', 'section')

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
        || ') prints ' || {{ dq_num('checks.printed_amount') }} || ' in column ' || checks.measure || '; the '
        || checks.n_children || ' rows under it sum to ' || {{ dq_num('checks.children_sum') }}
        || ' (difference ' || {{ dq_num('checks.printed_amount - checks.children_sum') }} || ').' as message,
        checks.table_id as source_table,
        checks.parent_line as source_line
    from checks
    inner join tables
        on checks.table_id = tables.table_id

)

select * from final
