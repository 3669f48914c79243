-- Budget overview: one row per loaded document with its headline figures (万元). Each figure is
-- the printed total where the document prints one, otherwise the sum of the facts:
--   revenue_total        收入总计 of the 收支总表, else of the 财政拨款收支总表, else the 收入总表
--                        总计 column, else the sum of fct_revenue_by_source;
--   expenditure_*        合计 row of the all-funds expenditure table (部门支出总表), else the sum
--                        of its leaf facts;
--   expenditure_personnel / _public  合计 row of the 一般公共预算基本支出表 (人员经费 / 公用经费),
--                        else the all-funds expenditure table's 合计 row;
--   gpb_expenditure      合计 row of the 一般公共预算支出表, else the sum of its leaf facts;
--   three_public_*       fct_three_public_costs (null when no 三公 table is printed or read);
--   project_count        this year's projects in fct_projects;
--   dq_errors / dq_warnings  findings in fct_dq_findings.

with

documents as (

    select * from {{ ref('dim_document') }}

),

departments as (

    select * from {{ ref('dim_department') }}

),

function_rows as (

    select * from {{ ref('int_function_rows_classified') }}
    where is_first_scope_table

),

---------- revenue

summary_totals as (

    select
        document_id,
        arg_min(amount, source_line) filter (
            where table_kind = 'department_summary'
        ) as department_summary_total,
        arg_min(amount, source_line) filter (
            where table_kind = 'fiscal_summary'
        ) as fiscal_summary_total
    from {{ ref('int_summary_classes_resolved') }}
    where
        side = 'revenue'
        and row_role = 'total'
        and measure in ('amount', 'total')
    group by document_id

),

revenue_table_totals as (

    select
        document_id,
        arg_min(amount, source_line) as revenue_table_total
    from {{ ref('int_revenue_rows_classified') }}
    where
        row_role = 'total'
        and measure = 'total'
        and disposition != 'repeated_table'
    group by document_id

),

revenue_facts as (

    select
        document_id,
        sum(amount) as revenue_fact_total
    from {{ ref('fct_revenue_by_source') }}
    group by document_id

),

---------- expenditure

printed_function_totals as (

    select
        document_id,
        budget_scope,
        arg_min(total_amount, source_line) as total_amount,
        arg_min(basic_amount, source_line) as basic_amount,
        arg_min(project_amount, source_line) as project_amount,
        arg_min(personnel_amount, source_line) as personnel_amount,
        arg_min(public_amount, source_line) as public_amount
    from function_rows
    where row_role = 'total'
    group by document_id, budget_scope

),

fact_function_totals as (

    select
        document_id,
        budget_scope,
        sum(total_amount) as total_amount,
        sum(basic_amount) as basic_amount,
        sum(project_amount) as project_amount,
        sum(personnel_amount) as personnel_amount,
        sum(public_amount) as public_amount
    from {{ ref('fct_expenditure_by_function') }}
    group by document_id, budget_scope

),

function_totals as (

    select
        coalesce(printed.document_id, facts.document_id) as document_id,
        coalesce(printed.budget_scope, facts.budget_scope) as budget_scope,
        coalesce(printed.total_amount, facts.total_amount) as total_amount,
        coalesce(printed.basic_amount, facts.basic_amount) as basic_amount,
        coalesce(printed.project_amount, facts.project_amount) as project_amount,
        coalesce(printed.personnel_amount, facts.personnel_amount) as personnel_amount,
        coalesce(printed.public_amount, facts.public_amount) as public_amount
    from printed_function_totals as printed
    full outer join fact_function_totals as facts
        on
            printed.document_id = facts.document_id
            and printed.budget_scope = facts.budget_scope

),

basic_economic_totals as (

    select
        document_id,
        arg_min(personnel_amount, source_line) as personnel_amount,
        arg_min(public_amount, source_line) as public_amount
    from {{ ref('int_economic_rows_resolved') }}
    where
        table_kind = 'basic_by_economic'
        and row_role = 'total'
    group by document_id

),

---------- 三公, projects, findings

-- the document's own basis: a budget's budget figures, a 决算's actuals (a 决算 三公 table also
-- prints the budget: fct_three_public_costs holds it, amount_basis budget)
three_public as (

    select
        cost_rows.document_id,
        sum(cost_rows.amount) as three_public_total,
        sum(cost_rows.amount) filter (where cost_rows.category = 'outbound_travel') as three_public_outbound,
        sum(cost_rows.amount) filter (where cost_rows.category = 'official_reception') as three_public_reception,
        sum(cost_rows.amount) filter (where cost_rows.category = 'vehicle_purchase') as three_public_vehicle_purchase,
        sum(cost_rows.amount) filter (where cost_rows.category = 'vehicle_operation') as three_public_vehicle_operation
    from {{ ref('fct_three_public_costs') }} as cost_rows
    inner join documents
        on cost_rows.document_id = documents.document_id
    where
        cost_rows.amount_basis
        = case documents.disclosure_kind when 'final_accounts' then 'final' else 'budget' end
    group by cost_rows.document_id

),

projects as (

    select
        document_id,
        count(*) as project_count
    from {{ ref('fct_projects') }}
    where not is_carryover
    group by document_id

),

findings as (

    select
        document_id,
        -- failed checks only: a check that could not be evaluated is listed in fct_dq_findings
        -- but is no error or warning about the document
        count(*) filter (where severity = 'error' and status = 'fail') as dq_errors,
        count(*) filter (where severity = 'warning' and status = 'fail') as dq_warnings
    from {{ ref('fct_dq_findings') }}
    group by document_id

),

final as (

    select
        ---------- grain
        documents.document_id,
        documents.department_id,
        coalesce(departments.department_name, documents.department_name_as_printed) as department_name,
        departments.city_name_zh,
        departments.city_name_en,
        documents.fiscal_year,

        ---------- revenue and expenditure (万元)
        cast(coalesce(
            summary_totals.department_summary_total,
            summary_totals.fiscal_summary_total,
            revenue_table_totals.revenue_table_total,
            revenue_facts.revenue_fact_total
        ) as decimal(38, 6)) as revenue_total,
        cast(all_funds.total_amount as decimal(38, 6)) as expenditure_total,
        cast(all_funds.basic_amount as decimal(38, 6)) as expenditure_basic,
        cast(all_funds.project_amount as decimal(38, 6)) as expenditure_project,
        cast(coalesce(basic_economic_totals.personnel_amount, all_funds.personnel_amount) as decimal(38, 6))
            as expenditure_personnel,
        cast(coalesce(basic_economic_totals.public_amount, all_funds.public_amount) as decimal(38, 6))
            as expenditure_public,
        cast(general_public_budget.total_amount as decimal(38, 6)) as gpb_expenditure,

        ---------- 三公 (万元)
        cast(three_public.three_public_total as decimal(38, 6)) as three_public_total,
        cast(three_public.three_public_outbound as decimal(38, 6)) as three_public_outbound,
        cast(three_public.three_public_reception as decimal(38, 6)) as three_public_reception,
        cast(three_public.three_public_vehicle_purchase as decimal(38, 6)) as three_public_vehicle_purchase,
        cast(three_public.three_public_vehicle_operation as decimal(38, 6)) as three_public_vehicle_operation,

        ---------- counts
        coalesce(projects.project_count, 0) as project_count,
        coalesce(findings.dq_errors, 0) as dq_errors,
        coalesce(findings.dq_warnings, 0) as dq_warnings
    from documents
    left join departments
        on documents.department_id = departments.department_id
    left join summary_totals
        on documents.document_id = summary_totals.document_id
    left join revenue_table_totals
        on documents.document_id = revenue_table_totals.document_id
    left join revenue_facts
        on documents.document_id = revenue_facts.document_id
    left join function_totals as all_funds
        on
            documents.document_id = all_funds.document_id
            and all_funds.budget_scope = 'all_funds'
    left join function_totals as general_public_budget
        on
            documents.document_id = general_public_budget.document_id
            and general_public_budget.budget_scope = 'general_public_budget'
    left join basic_economic_totals
        on documents.document_id = basic_economic_totals.document_id
    left join three_public
        on documents.document_id = three_public.document_id
    left join projects
        on documents.document_id = projects.document_id
    left join findings
        on documents.document_id = findings.document_id

)

select * from final
