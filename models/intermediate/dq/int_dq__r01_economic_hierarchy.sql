-- R01 on the economic-classification tables: a 类 row equals the sum of its 款 rows (by code
-- prefix, or, where only names are printed, the rows that follow it up to the next 类 row), and
-- the 合计 row equals the sum of the 类 rows (or of the 款 rows when no 类 row is printed).
-- Compared per printed column (measure and printed header).

with

printed_rows as (

    select
        *,
        count(*) filter (where row_role = 'class') over (
            partition by table_id
            order by source_line
            rows between unbounded preceding and current row
        ) as class_block
    from {{ ref('int_economic_rows_resolved') }}
    where row_role in ('total', 'class', 'item')

),

cells as (

    select
        *,
        coalesce(measure_header, '') as header_key
    from {{ ref('stg_landed__economic_rows') }}

),

tables as (

    select * from {{ ref('stg_landed__tables') }}

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
        coalesce(parents.dept_code_printed, parents.dept_economic_name) as parent_label,
        children.source_line as child_line
    from printed_rows as parents
    inner join printed_rows as children
        on
            parents.table_id = children.table_id
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
        '合计' as parent_label,
        children.source_line as child_line
    from printed_rows as parents
    left join tables_with_classes
        on parents.table_id = tables_with_classes.table_id
    inner join printed_rows as children
        on
            parents.table_id = children.table_id
            and children.row_role = case when tables_with_classes.table_id is null then 'item' else 'class' end
    where parents.row_role = 'total'

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
        parent_cells.header_key,
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
            and parent_cells.header_key = child_cells.header_key
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
