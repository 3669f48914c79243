-- R10: the projects listed for this year add up to the project expenditure total of the function
-- table of the same scope (一般公共预算 when the list's title says so, else all funds). Carried-over
-- project lists (上年结转) are budgeted apart and not summed. A document that prints a project
-- expenditure total but no project list cannot be checked (`not_evaluable`).

with

projects as (

    select * from {{ ref('int_project_rows_pivoted') }}
    where row_role = 'item' and not is_carryover

),

tables as (

    select * from {{ ref('stg_landed__tables') }}

),

function_totals as (

    select
        document_id,
        budget_scope,
        min(table_id) as table_id,
        min(source_line) as source_line,
        sum(project_amount) as project_total
    from {{ ref('int_function_rows_classified') }}
    where row_role = 'total' and is_first_scope_table
    group by all

),

lists as (

    select
        projects.document_id,
        case when tables.title like '%一般公共预算%' then 'general_public_budget' else 'all_funds' end as budget_scope,
        min(projects.table_id) as table_id,
        min(projects.source_line) as source_line,
        sum(projects.measure_total) as listed_total,
        count(*) as n_projects
    from projects
    inner join tables
        on projects.table_id = tables.table_id
    group by all

),

checks as (

    select
        function_totals.document_id,
        function_totals.budget_scope,
        function_totals.project_total,
        function_totals.table_id as total_table,
        function_totals.source_line as total_line,
        lists.listed_total,
        lists.n_projects,
        lists.table_id as list_table
    from function_totals
    left join lists
        on
            function_totals.document_id = lists.document_id
            and function_totals.budget_scope = lists.budget_scope
    where
        lists.table_id is not null
        or (
            function_totals.budget_scope = 'all_funds'
            and not exists (
                select 1 from lists as any_list
                where any_list.document_id = function_totals.document_id
            )
        )

),

final as (

    select
        checks.document_id,
        'R10' as rule_id,
        case
            when checks.listed_total is null then 'not_evaluable'
            else {{ dq_status('checks.listed_total', 'checks.project_total', dq_tolerance('checks.n_projects')) }}
        end as status,
        'project list total = ' || checks.budget_scope || ' project expenditure' as subject,
        checks.project_total as expected,
        checks.listed_total as actual,
        checks.listed_total - checks.project_total as difference,
        {{ dq_tolerance('coalesce(checks.n_projects, 1)') }} as tolerance,
        case
            when checks.listed_total is null
                then
                    'The document prints project expenditure of ' || {{ dq_num('checks.project_total') }} || ' (《'
                    || total_table.title_as_printed || '》 line ' || checks.total_line
                    || ') but prints no project list to compare with.'
            else
                'The ' || checks.n_projects || ' projects of 《' || list_table.title_as_printed || '》 sum to '
                || {{ dq_num('checks.listed_total') }} || '; 《' || total_table.title_as_printed || '》 line '
                || checks.total_line || ' prints project expenditure ' || {{ dq_num('checks.project_total') }}
                || ' (difference ' || {{ dq_num('checks.listed_total - checks.project_total') }} || ').'
        end as message,
        coalesce(checks.list_table, checks.total_table) as source_table,
        checks.total_line as source_line
    from checks
    left join tables as total_table
        on checks.total_table = total_table.table_id
    left join tables as list_table
        on checks.list_table = list_table.table_id

)

select * from final
