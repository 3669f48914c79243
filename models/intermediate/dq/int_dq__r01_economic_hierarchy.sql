-- R01 on the economic-classification tables: a 类 row equals the sum of its 款 rows (by code
-- prefix, or, where only names are printed, the rows that follow it up to the next 类 row), and
-- the 合计 row equals the sum of the 类 rows (or of the 款 rows when no 类 row is printed).
-- Compared per printed column (measure and printed header), and per group of columns where a
-- table prints them side by side (column_group: 人员经费 classes left, 公用经费 classes right).

with

printed_rows as (

    select
        *,
        count(*) filter (where row_role = 'class') over (
            partition by table_id, column_group
            order by source_line
            rows between unbounded preceding and current row
        ) as class_block,
        max(column_group) over (partition by table_id) as n_column_groups
    from {{ ref('int_economic_rows_resolved') }}
    where row_role in ('total', 'class', 'item')

),

cells as (

    select
        *,
        coalesce(measure_header, '') as header_key
    from {{ ref('stg_landed__economic_rows') }}

),

tables_with_classes as (

    select distinct table_id
    from printed_rows
    where row_role = 'class'

),

pairs as (

    select
        parents.document_id,
        parents.table_id,
        parents.source_line as parent_line,
        parents.column_group,
        coalesce(parents.dept_code_printed, parents.dept_economic_name) as parent_label,
        children.source_line as child_line
    from printed_rows as parents
    inner join printed_rows as children
        on
            parents.table_id = children.table_id
            and parents.column_group = children.column_group
            and children.row_role = 'item'
            and (
                (
                    parents.dept_code_printed is not null
                    and starts_with(children.dept_code_printed, parents.dept_code_printed)
                )
                or (parents.dept_code_printed is null and parents.class_block = children.class_block)
            )
    where parents.row_role = 'class'

    union all

    select
        parents.document_id,
        parents.table_id,
        parents.source_line as parent_line,
        parents.column_group,
        -- each group of a table printed in groups side by side has its total (人员经费合计)
        case
            when parents.n_column_groups > 1 then coalesce(parents.dept_economic_name, '合计')
            else '合计'
        end as parent_label,
        children.source_line as child_line
    from printed_rows as parents
    left join tables_with_classes
        on parents.table_id = tables_with_classes.table_id
    inner join printed_rows as children
        on
            parents.table_id = children.table_id
            and parents.column_group = children.column_group
            and children.row_role = case when tables_with_classes.table_id is null then 'item' else 'class' end
    where parents.row_role = 'total'

),

{{ dq_parent_sum_checks('pairs', 'cells', match_columns=['measure', 'header_key'], group_column='column_group') }}

select * from final
