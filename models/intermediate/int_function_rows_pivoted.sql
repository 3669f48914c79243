-- One row per printed row of an expenditure-by-function table (部门支出总表 / 一般公共预算支出表 /
-- 政府性基金支出表), with the landed long measures pivoted back into columns and the headline
-- amounts (total / basic / personnel / public / project) derived from whatever columns the
-- table prints. Printed subtotal rows (total, unit, class, section) are kept.
--
-- Blank cells are not landed. A measure missing on a row counts as 0 only when the table prints
-- that column somewhere (the table's measure set); a concept the table does not print at all
-- stays null.

{% set function_measures = [
    'total', 'basic', 'basic_personnel', 'basic_personnel_wages', 'basic_personnel_households',
    'basic_public', 'basic_public_goods_services', 'basic_public_capital',
    'project', 'project_other_operation', 'project_specific_target', 'project_general',
    'project_special_fund', 'fiscal_total', 'fiscal_basic', 'fiscal_project',
    'nonfiscal_total', 'nonfiscal_basic', 'nonfiscal_project',
    'operating_expenditure', 'remit_to_superior', 'subsidy_to_subordinate', 'procurement',
    'gpb', 'government_fund', 'operating_income', 'business_income', 'subordinate_remit',
    'account_balance', 'other_income', 'carryover'
] %}

with

function_rows as (

    select * from {{ documents_to_build(ref('stg_landed__function_rows')) }}

),

-- the set of measures each table prints (at least one non-blank cell in the column)
table_measures as (

    select
        document_id,
        table_id,
        list_sort(list(distinct measure)) as measures_printed
    from function_rows
    group by document_id, table_id

),

pivoted as (

    select
        document_id,
        table_id,
        source_line,
        source_page,
        budget_scope,
        row_role,
        unit_code,
        function_code,
        code_as_printed,
        function_name,
        count(*) as n_cells,
        {{ pivot_measures(function_measures) }}
    from function_rows
    group by
        document_id,
        table_id,
        source_line,
        source_page,
        budget_scope,
        row_role,
        unit_code,
        function_code,
        code_as_printed,
        function_name

),

-- blank = 0 for the columns the table prints, null for columns it does not print
zero_filled as (

    select
        pivoted.* exclude ({{ prefixed_columns(function_measures, 'm_') }}),
        table_measures.measures_printed,
        {{ zero_fill_measures(function_measures, 'table_measures.measures_printed', 'pivoted') }}
    from pivoted
    inner join table_measures
        on
            pivoted.document_id = table_measures.document_id
            and pivoted.table_id = table_measures.table_id

),

-- parts are summed with null-as-absent semantics: null only if every part is absent
personnel_public as (

    select
        *,
        case
            when m_basic_personnel is not null then m_basic_personnel
            when coalesce(m_basic_personnel_wages, m_basic_personnel_households) is not null
                then coalesce(m_basic_personnel_wages, 0) + coalesce(m_basic_personnel_households, 0)
        end as personnel_amount,
        case
            when m_basic_public is not null then m_basic_public
            when coalesce(m_basic_public_goods_services, m_basic_public_capital) is not null
                then coalesce(m_basic_public_goods_services, 0) + coalesce(m_basic_public_capital, 0)
        end as public_amount
    from zero_filled

),

derived as (

    select
        *,
        case
            when m_basic is not null then m_basic
            when coalesce(m_fiscal_basic, m_nonfiscal_basic) is not null
                then coalesce(m_fiscal_basic, 0) + coalesce(m_nonfiscal_basic, 0)
            when coalesce(personnel_amount, public_amount) is not null
                then coalesce(personnel_amount, 0) + coalesce(public_amount, 0)
        end as basic_amount,
        case
            when m_project is not null then m_project
            when coalesce(m_fiscal_project, m_nonfiscal_project) is not null
                then coalesce(m_fiscal_project, 0) + coalesce(m_nonfiscal_project, 0)
            when
                coalesce(
                    m_project_other_operation, m_project_specific_target,
                    m_project_general, m_project_special_fund
                ) is not null
                then
                    coalesce(m_project_other_operation, 0)
                    + coalesce(m_project_specific_target, 0)
                    + coalesce(m_project_general, 0)
                    + coalesce(m_project_special_fund, 0)
        end as project_amount
    from personnel_public

),

final as (

    select
        ---------- ids and provenance
        document_id,
        table_id,
        source_line,
        source_page,
        budget_scope,
        row_role,
        unit_code,
        function_code,
        code_as_printed,
        function_name,

        ---------- headline amounts
        case
            when m_total is not null then m_total
            when coalesce(m_fiscal_total, m_nonfiscal_total) is not null
                then coalesce(m_fiscal_total, 0) + coalesce(m_nonfiscal_total, 0)
            when coalesce(basic_amount, project_amount) is not null
                then coalesce(basic_amount, 0) + coalesce(project_amount, 0)
        end as total_amount,
        basic_amount,
        personnel_amount,
        public_amount,
        project_amount,

        ---------- printed measures (blank = 0 where the table prints the column)
        {{ renamed_columns(function_measures, 'm_', 'measure_') }},
        measures_printed,
        n_cells
    from derived

)

select * from final
