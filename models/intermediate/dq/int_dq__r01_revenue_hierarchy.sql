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

{{ dq_parent_sum_checks('pairs', 'cells') }}

select * from final
