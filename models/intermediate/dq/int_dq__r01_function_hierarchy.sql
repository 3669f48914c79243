-- R01 on the expenditure-by-function tables: every printed parent row (class, section, 合计)
-- equals the sum of the rows printed under it, measure by measure. A row's children are the
-- rows whose printed parent (int_function_rows_classified.printed_parent_code) is its code; the
-- 合计 row's children are the top-level code rows. Blank child cells count as zero.

with

printed_rows as (

    select * from {{ ref('int_function_rows_classified') }}

),

cells as (

    select * from {{ ref('stg_landed__function_rows') }}

),

pairs as (

    select
        parents.document_id,
        parents.table_id,
        parents.source_line as parent_line,
        parents.function_code as parent_label,
        children.source_line as child_line
    from printed_rows as parents
    inner join printed_rows as children
        on
            parents.table_id = children.table_id
            and parents.function_code = children.printed_parent_code
    where parents.row_role in ('class', 'section')

    union all

    select
        parents.document_id,
        parents.table_id,
        parents.source_line as parent_line,
        '合计' as parent_label,
        children.source_line as child_line
    from printed_rows as parents
    inner join printed_rows as children
        on
            parents.table_id = children.table_id
            and children.row_role in ('class', 'section', 'item')
            and children.printed_parent_code is null
    where parents.row_role = 'total'

),

-- measure and header: the "of which" columns (`of_which`) are one measure over several columns
{{ dq_parent_sum_checks('pairs', 'cells', match_columns=['measure', 'measure_header']) }}

select * from final
