-- R05: a code's prefix matches the parent row printed above it: a 项 code (7 digits) under a
-- 款 row starts with that 款 code, a 款 code under a 类 row with that 类 code. Function tables use
-- int_function_rows_classified.printed_parent_code; economic tables the 类 row printed above (in
-- the same group of columns, where a table prints groups side by side).

with

function_rows as (

    select * from {{ ref('int_function_rows_classified') }}
    where printed_parent_code is not null

),

economic_rows as (

    select
        *,
        last_value(case when row_role = 'class' then dept_code_printed end ignore nulls) over (
            partition by table_id, column_group
            order by source_line
            rows between unbounded preceding and 1 preceding
        ) as printed_parent_code
    from {{ ref('int_economic_rows_resolved') }}

),

tables as (

    select * from {{ ref('stg_landed__tables') }}

),

checks as (

    select
        document_id,
        table_id,
        source_line,
        function_code as code,
        function_name as name,
        printed_parent_code
    from function_rows

    union all

    select
        document_id,
        table_id,
        source_line,
        dept_code_printed as code,
        dept_economic_name as name,
        printed_parent_code
    from economic_rows
    where row_role = 'item' and dept_code_printed is not null and printed_parent_code is not null

),

final as (

    select
        checks.document_id,
        'R05' as rule_id,
        case when starts_with(checks.code, checks.printed_parent_code) then 'pass' else 'fail' end as status,
        tables.title_as_printed || ' line ' || checks.source_line || ' ' || checks.code || ' under '
        || checks.printed_parent_code as subject,
        cast(null as decimal(20, 6)) as expected,
        cast(null as decimal(20, 6)) as actual,
        cast(null as decimal(20, 6)) as difference,
        cast(null as decimal(20, 6)) as tolerance,
        '《' || tables.title_as_printed || '》 line ' || checks.source_line || ' prints ' || checks.code || ' '
        || coalesce(checks.name, '') || ' under ' || checks.printed_parent_code
        || case
            when starts_with(checks.code, checks.printed_parent_code) then '.'
            else
                ', but the code starts with ' || left(checks.code, length(checks.printed_parent_code))
                || ', not with ' || checks.printed_parent_code || '.'
        end as message,
        checks.table_id as source_table,
        checks.source_line
    from checks
    inner join tables
        on checks.table_id = tables.table_id

)

select * from final
