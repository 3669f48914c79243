-- One row per printed row of the project lists (项目支出表, this year and 上年结转), with the landed
-- measures pivoted. `amount` is the printed 合计 column, else 财政拨款 + 非财政拨款, else the sum of
-- the funding columns (单位资金 either as one column or split by source: a table prints one or
-- the other).
-- Rows naming a project are `fact` rows for fct_projects; total, unit, class and section rows
-- are printed subtotals (`subtotal`).

{% set project_measures = [
    'total', 'gpb', 'government_fund', 'state_capital', 'carryover_gpb',
    'carryover_government_fund', 'carryover_state_capital', 'special_account', 'unit_funds',
    'econ_301', 'econ_302', 'econ_303', 'econ_307', 'econ_309', 'econ_310', 'econ_311',
    'econ_312', 'econ_313', 'econ_399', 'fiscal_total', 'fiscal_basic', 'fiscal_basic_personnel',
    'fiscal_basic_public', 'fiscal_project', 'nonfiscal_total', 'nonfiscal_basic',
    'nonfiscal_basic_personnel', 'nonfiscal_basic_public', 'nonfiscal_project',
    'business_income', 'operating_income', 'superior_subsidy', 'subordinate_remit', 'other_income',
    'carryover_total'
] %}
{% set funding_measures = [
    'gpb', 'government_fund', 'state_capital', 'carryover_gpb', 'carryover_government_fund',
    'carryover_state_capital', 'special_account', 'unit_funds', 'business_income',
    'operating_income', 'superior_subsidy', 'subordinate_remit', 'other_income', 'carryover_total'
] %}

with

project_rows as (

    select * from {{ documents_to_build(ref('stg_landed__project_rows')) }}

),

tables as (

    select * from {{ documents_to_build(ref('stg_landed__tables')) }}

),

pivoted as (

    select
        document_id,
        table_id,
        source_line,
        source_page,
        is_carryover,
        row_role,
        budget_unit,
        project_name,
        project_category,
        function_code,
        dept_economic_code,
        gov_economic_code,
        fund_nature,
        count(*) as n_cells,
        {{ pivot_measures(project_measures, 'measure_') }}
    from project_rows
    group by
        document_id,
        table_id,
        source_line,
        source_page,
        is_carryover,
        row_role,
        budget_unit,
        project_name,
        project_category,
        function_code,
        dept_economic_code,
        gov_economic_code,
        fund_nature

),

-- facts come from the first project table of each funding period in a document
ranked as (

    select
        pivoted.*,
        dense_rank() over (
            partition by pivoted.document_id, pivoted.is_carryover
            order by tables.table_index, pivoted.table_id
        ) as period_table_rank
    from pivoted
    left join tables
        on
            pivoted.document_id = tables.document_id
            and pivoted.table_id = tables.table_id

),

final as (

    select
        ranked.* exclude (ranked.period_table_rank),
        case
            when ranked.measure_total is not null then ranked.measure_total
            when coalesce(ranked.measure_fiscal_total, ranked.measure_nonfiscal_total) is not null
                then coalesce(ranked.measure_fiscal_total, 0) + coalesce(ranked.measure_nonfiscal_total, 0)
            else {{ sum_of_columns(funding_measures, 'measure_') }}
        end as amount,
        case
            when ranked.row_role != 'item' or ranked.project_name is null then 'subtotal'
            when ranked.period_table_rank > 1 then 'repeated_table'
            else 'fact'
        end as disposition
    from ranked

)

select * from final
