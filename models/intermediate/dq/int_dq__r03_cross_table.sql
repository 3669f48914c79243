-- R03: the same quantity agrees across the tables of one document. Each comparison pairs a
-- printed total (or a sum of printed cells) from two tables:
--   all-funds function table 合计            = 收支总表 本年支出合计 (or 支出总计 less 年终结转)
--   一般公共预算 function table 合计          = 财政拨款收支总表 一般公共预算 expenditure
--   基本支出 economic table 合计 / 人员 / 公用 = 一般公共预算 function table 基本支出 / 人员 / 公用
--   支出经济分类汇总表 合计                   = all-funds function table 合计
--   收入总表 总计                             = 收支总表 收入总计
--   收支总表 expenditure per function class   = all-funds function table, that class
-- When only one side of a headline total is printed the check is `not_evaluable`; other
-- comparisons apply only where both tables print the quantity.

with

function_rows as (

    select * from {{ ref('int_function_rows_classified') }}
    where is_first_scope_table

),

summary as (

    select * from {{ ref('int_summary_classes_resolved') }}

),

economic as (

    select * from {{ ref('int_economic_rows_resolved') }}
    where row_role = 'total'

),

-- a basic-expenditure table printing its columns in groups side by side prints a total per
-- group (人员经费合计 | 公用经费合计): the table's total is their sum
economic_group_totals as (

    select
        document_id,
        table_id,
        column_group,
        min(source_line) as source_line,
        arg_min(amount, source_line) as amount
    from economic
    where table_kind = 'basic_by_economic'
    group by document_id, table_id, column_group

),

revenue as (

    select * from {{ ref('stg_landed__revenue_rows') }}
    where row_role = 'total' and measure = 'total'

),

documents as (

    select document_id from {{ ref('stg_landed__documents') }}

),

---------- one row per (document, quantity name): value, where it is printed, cells summed

function_totals as (

    select
        document_id,
        budget_scope,
        table_id,
        min(source_line) as source_line,
        sum(total_amount) as total_amount,
        sum(basic_amount) as basic_amount,
        sum(personnel_amount) as personnel_amount,
        sum(public_amount) as public_amount,
        -- how many personnel / public columns the table prints (the addends of those amounts)
        max(
            cast(list_contains(measures_printed, 'basic_personnel') as int)
            + cast(list_contains(measures_printed, 'basic_personnel_wages') as int)
            + cast(list_contains(measures_printed, 'basic_personnel_households') as int)
        ) as n_personnel_cells,
        max(
            cast(list_contains(measures_printed, 'basic_public') as int)
            + cast(list_contains(measures_printed, 'basic_public_goods_services') as int)
            + cast(list_contains(measures_printed, 'basic_public_capital') as int)
        ) as n_public_cells
    from function_rows
    where row_role = 'total'
    group by all

),

summary_expenditure as (

    -- 本年支出合计 where printed, else 支出总计 less 年终结转结余
    select
        document_id,
        table_kind,
        measure,
        coalesce(
            max(amount) filter (where row_role = 'subtotal'),
            max(amount) filter (where row_role = 'total')
            - coalesce(sum(amount) filter (where row_role = 'year_end'), 0)
        ) as amount,
        min(table_id) as table_id,
        min(source_line) filter (where row_role in ('subtotal', 'total')) as source_line
    from summary
    where side = 'expenditure'
    group by all

),

-- the fiscal summary's expenditure column for the general public budget: 一般公共预算 where
-- printed, else 合计, else the single 金额 column
fiscal_measure as (

    select
        document_id,
        case
            when list_contains(list(measure), 'gpb') then 'gpb'
            when list_contains(list(measure), 'total') then 'total'
            else 'amount'
        end as measure
    from summary_expenditure
    where table_kind = 'fiscal_summary'
    group by document_id

),

quantities as (

    select
        document_id,
        'all-funds expenditure total' as quantity,
        'function' as side_name,
        table_id,
        source_line,
        total_amount as amount,
        1 as n_cells
    from function_totals
    where budget_scope = 'all_funds'

    union all

    select
        document_id,
        'all-funds expenditure total' as quantity,
        'summary' as side_name,
        table_id,
        source_line,
        amount,
        1 as n_cells
    from summary_expenditure
    where table_kind = 'department_summary' and measure in ('amount', 'total')

    union all

    select
        document_id,
        'general-public-budget expenditure total' as quantity,
        'function' as side_name,
        table_id,
        source_line,
        total_amount as amount,
        1 as n_cells
    from function_totals
    where budget_scope = 'general_public_budget'

    union all

    select
        summary_expenditure.document_id,
        'general-public-budget expenditure total' as quantity,
        'summary' as side_name,
        summary_expenditure.table_id,
        summary_expenditure.source_line,
        summary_expenditure.amount,
        1 as n_cells
    from summary_expenditure
    inner join fiscal_measure
        on
            summary_expenditure.document_id = fiscal_measure.document_id
            and summary_expenditure.measure = fiscal_measure.measure
    where summary_expenditure.table_kind = 'fiscal_summary'

    union all

    select
        document_id,
        'basic expenditure total' as quantity,
        'function' as side_name,
        table_id,
        source_line,
        basic_amount as amount,
        1 as n_cells
    from function_totals
    where budget_scope = 'general_public_budget'

    union all

    select
        document_id,
        'basic expenditure total' as quantity,
        'economic' as side_name,
        table_id,
        min(source_line) as source_line,
        sum(amount) as amount,
        count(*) as n_cells
    from economic_group_totals
    group by document_id, table_id

    union all

    select
        document_id,
        'basic personnel expenditure' as quantity,
        'function' as side_name,
        table_id,
        source_line,
        personnel_amount as amount,
        n_personnel_cells as n_cells
    from function_totals
    where budget_scope = 'general_public_budget' and n_personnel_cells > 0

    union all

    select
        document_id,
        'basic personnel expenditure' as quantity,
        'economic' as side_name,
        table_id,
        source_line,
        measure_personnel as amount,
        1 as n_cells
    from economic
    where table_kind = 'basic_by_economic' and measure_personnel is not null

    union all

    select
        document_id,
        'basic public expenditure' as quantity,
        'function' as side_name,
        table_id,
        source_line,
        public_amount as amount,
        n_public_cells as n_cells
    from function_totals
    where budget_scope = 'general_public_budget' and n_public_cells > 0

    union all

    select
        document_id,
        'basic public expenditure' as quantity,
        'economic' as side_name,
        table_id,
        source_line,
        measure_public as amount,
        1 as n_cells
    from economic
    where table_kind = 'basic_by_economic' and measure_public is not null

    union all

    select
        document_id,
        'all-funds expenditure total (economic)' as quantity,
        'function' as side_name,
        table_id,
        source_line,
        total_amount as amount,
        1 as n_cells
    from function_totals
    where budget_scope = 'all_funds'

    union all

    select
        document_id,
        'all-funds expenditure total (economic)' as quantity,
        'economic' as side_name,
        table_id,
        source_line,
        amount,
        1 as n_cells
    from economic
    where table_kind = 'economic_summary'

    union all

    select
        document_id,
        'revenue total' as quantity,
        'revenue' as side_name,
        table_id,
        source_line,
        amount,
        1 as n_cells
    from revenue

    union all

    select
        document_id,
        'revenue total' as quantity,
        'summary' as side_name,
        min(table_id) as table_id,
        min(source_line) as source_line,
        max(amount) as amount,
        1 as n_cells
    from summary
    where table_kind = 'department_summary' and side = 'revenue' and row_role = 'total'
    group by document_id

),

---------- per function class: summary tables against the function tables

function_classes as (

    select
        document_id,
        budget_scope,
        class_code,
        min(table_id) as table_id,
        min(source_line) as source_line,
        -- a printed class row if there is one, else the sum of the leaf rows of that class
        coalesce(
            max(total_amount) filter (where row_role = 'class'),
            sum(total_amount) filter (where disposition = 'fact')
        ) as amount,
        greatest(1, count(*) filter (where disposition = 'fact')) as n_cells
    from function_rows
    where class_code is not null
    group by all

),

summary_classes as (

    select
        summary.document_id,
        case summary.table_kind when 'department_summary' then 'all_funds' else 'general_public_budget' end
            as budget_scope,
        summary.resolved_class_code as class_code,
        min(summary.table_id) as table_id,
        min(summary.source_line) as source_line,
        max(summary.amount) as amount
    from summary
    left join fiscal_measure
        on summary.document_id = fiscal_measure.document_id
    where
        summary.side = 'expenditure'
        and summary.row_role = 'item'
        and summary.resolved_class_code is not null
        and (
            (summary.table_kind = 'department_summary' and summary.measure in ('amount', 'total'))
            or (summary.table_kind = 'fiscal_summary' and summary.measure = fiscal_measure.measure)
        )
    group by all

),

-- documents and scopes that print both a summary table and a function table
scopes_with_both as (

    select distinct
        function_classes.document_id,
        function_classes.budget_scope
    from function_classes
    inner join summary_classes
        on
            function_classes.document_id = summary_classes.document_id
            and function_classes.budget_scope = summary_classes.budget_scope

),

class_quantities as (

    select
        function_classes.document_id,
        function_classes.budget_scope || ' class ' || function_classes.class_code as quantity,
        'function' as side_name,
        function_classes.table_id,
        function_classes.source_line,
        function_classes.amount,
        function_classes.n_cells
    from function_classes
    inner join scopes_with_both
        on
            function_classes.document_id = scopes_with_both.document_id
            and function_classes.budget_scope = scopes_with_both.budget_scope

    union all

    select
        summary_classes.document_id,
        summary_classes.budget_scope || ' class ' || summary_classes.class_code as quantity,
        'summary' as side_name,
        summary_classes.table_id,
        summary_classes.source_line,
        summary_classes.amount,
        1 as n_cells
    from summary_classes
    inner join scopes_with_both
        on
            summary_classes.document_id = scopes_with_both.document_id
            and summary_classes.budget_scope = scopes_with_both.budget_scope

),

all_quantities as (

    select * from quantities
    union all
    select * from class_quantities

),

-- each comparison pairs a function/revenue-table side with a summary/economic-table side
first_sides as (

    select * from all_quantities
    where side_name in ('function', 'revenue')

),

second_sides as (

    select * from all_quantities
    where side_name in ('summary', 'economic')

),

compared as (

    select
        coalesce(a.document_id, b.document_id) as document_id,
        coalesce(a.quantity, b.quantity) as quantity,
        a.side_name as side_a,
        b.side_name as side_b,
        a.table_id as table_a,
        b.table_id as table_b,
        a.source_line as line_a,
        b.source_line as line_b,
        -- a function class that one table prints and the other leaves blank: blank is zero
        coalesce(a.amount, case when b.quantity like '% class %' then 0 end) as amount_a,
        coalesce(b.amount, case when a.quantity like '% class %' then 0 end) as amount_b,
        coalesce(a.n_cells, 0) + coalesce(b.n_cells, 0) - 1 as n_addends
    from first_sides as a
    full outer join second_sides as b
        on a.document_id = b.document_id and a.quantity = b.quantity

),

tables as (

    select * from {{ ref('stg_landed__tables') }}

),

final as (

    select
        compared.document_id,
        'R03' as rule_id,
        case
            when compared.amount_a is null or compared.amount_b is null then 'not_evaluable'
            else {{ dq_status('compared.amount_b', 'compared.amount_a', dq_tolerance('compared.n_addends')) }}
        end as status,
        compared.quantity as subject,
        compared.amount_a as expected,
        compared.amount_b as actual,
        compared.amount_b - compared.amount_a as difference,
        {{ dq_tolerance('compared.n_addends') }} as tolerance,
        case
            when compared.amount_a is null or compared.amount_b is null
                then
                    compared.quantity || ': printed only in 《'
                    || coalesce(
                        table_a.title_as_printed, table_b.title_as_printed, table_a.table_id, table_b.table_id
                    )
                    || '》 line '
                    || coalesce(compared.line_a, compared.line_b) || ' ('
                    || {{ dq_num('coalesce(compared.amount_a, compared.amount_b)') }}
                    || '); the table to compare it with is not in the document.'
            else
                compared.quantity || ': 《'
                || coalesce(table_a.title_as_printed, table_a.table_id, 'the other table') || '》 '
                || coalesce('line ' || compared.line_a, 'does not print it (blank = 0)') || ' gives '
                || {{ dq_num('compared.amount_a') }} || ', 《'
                || coalesce(table_b.title_as_printed, table_b.table_id, 'the other table') || '》 '
                || coalesce('line ' || compared.line_b, 'does not print it (blank = 0)') || ' gives '
                || {{ dq_num('compared.amount_b') }} || ' (difference '
                || {{ dq_num('compared.amount_b - compared.amount_a') }} || ').'
        end as message,
        coalesce(compared.table_b, compared.table_a) as source_table,
        coalesce(compared.line_b, compared.line_a) as source_line
    from compared
    left join tables as table_a
        on compared.table_a = table_a.table_id
    left join tables as table_b
        on compared.table_b = table_b.table_id
    inner join documents
        on compared.document_id = documents.document_id
    -- a one-sided comparison is reported only for the headline totals every disclosure should
    -- print twice; a column a table does not print (人员经费, 支出经济分类汇总表, …) is no finding
    where
        (compared.amount_a is not null and compared.amount_b is not null)
        or compared.quantity in (
            'all-funds expenditure total', 'general-public-budget expenditure total', 'basic expenditure total'
        )

)

select * from final
