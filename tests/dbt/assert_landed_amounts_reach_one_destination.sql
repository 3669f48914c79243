-- Completeness (docs/design.md §5, pipeline test): every amount landed from a recognised table
-- reaches exactly one fact row or is recorded exactly once as a printed subtotal / breakdown in
-- the intermediate layer. Nothing is dropped, nothing is counted twice.
--
-- For each landed cell: n_destinations = (fact rows it feeds, found in the mart by its key) +
-- (1 if the intermediate layer records it as a non-fact row). Cells whose row is missing from
-- the intermediate layer, that feed no fact row or more than one, are returned as failures.
-- 收支总表 and 机关运行经费 cells feed no fact table: they are recorded totals and must be in
-- int_summary_classes_resolved / int_operating_cost_rows_pivoted exactly once.

with

recognised_tables as (

    select
        document_id,
        table_id
    from {{ ref('stg_landed__tables') }}
    where is_recognised

),

-- the landed cells of every recognised table, one CTE per landed dataset
{% for dataset in [
    'function_rows', 'economic_rows', 'three_public_rows', 'project_rows', 'revenue_rows',
    'summary_rows', 'operating_cost_rows'
] %}
{{ dataset }}_cells as (

    select cells.*
    from {{ ref('stg_landed__' ~ dataset) }} as cells
    inner join recognised_tables
        on
            cells.document_id = recognised_tables.document_id
            and cells.table_id = recognised_tables.table_id

),
{% endfor %}

---------- expenditure by function

function_destinations as (

    select
        'function_rows' as dataset,
        function_rows_cells.document_id,
        function_rows_cells.table_id,
        function_rows_cells.source_line,
        function_rows_cells.measure,
        function_rows_cells.measure_header,
        count(distinct facts.function_code)
        + count(distinct case when printed_rows.disposition != 'fact' then printed_rows.source_line end)
            as n_destinations
    from function_rows_cells
    left join {{ ref('int_function_rows_classified') }} as printed_rows
        on
            function_rows_cells.document_id = printed_rows.document_id
            and function_rows_cells.table_id = printed_rows.table_id
            and function_rows_cells.source_line = printed_rows.source_line
    left join {{ ref('fct_expenditure_by_function') }} as facts
        on
            printed_rows.disposition = 'fact'
            and printed_rows.document_id = facts.document_id
            and printed_rows.budget_scope = facts.budget_scope
            and printed_rows.function_code = facts.function_code
    group by all

),

---------- expenditure by economic classification

economic_destinations as (

    select
        'economic_rows' as dataset,
        economic_rows_cells.document_id,
        economic_rows_cells.table_id,
        economic_rows_cells.source_line,
        economic_rows_cells.measure,
        economic_rows_cells.measure_header,
        count(facts.document_id)
        + count(distinct case when printed_rows.disposition != 'fact' then printed_rows.source_line end)
            as n_destinations
    from economic_rows_cells
    left join {{ ref('int_economic_rows_resolved') }} as printed_rows
        on
            economic_rows_cells.document_id = printed_rows.document_id
            and economic_rows_cells.table_id = printed_rows.table_id
            and economic_rows_cells.source_line = printed_rows.source_line
            and economic_rows_cells.column_group = printed_rows.column_group
    left join {{ ref('fct_expenditure_by_economic') }} as facts
        on
            printed_rows.disposition = 'fact'
            and printed_rows.document_id = facts.document_id
            and printed_rows.expenditure_type = facts.expenditure_type
            and printed_rows.dept_economic_code is not distinct from facts.dept_economic_code
            and printed_rows.gov_economic_code is not distinct from facts.gov_economic_code
            and (
                printed_rows.dept_economic_code is not null
                or printed_rows.dept_economic_name is not distinct from facts.dept_economic_name
            )
            and (
                printed_rows.gov_economic_code is not null
                or printed_rows.gov_economic_name is not distinct from facts.gov_economic_name
            )
    -- one group per landed cell: a line of a table printed in groups side by side holds a
    -- cell of each group
    group by
        economic_rows_cells.document_id,
        economic_rows_cells.table_id,
        economic_rows_cells.source_line,
        economic_rows_cells.column_group,
        economic_rows_cells.measure,
        economic_rows_cells.measure_header

),

---------- 三公

three_public_destinations as (

    select
        'three_public_rows' as dataset,
        cells.document_id,
        cells.table_id,
        cells.source_line,
        cells.measure,
        cells.measure_header,
        count(facts.document_id)
        + count(case when cells.disposition != 'fact' then 1 end) as n_destinations
    from {{ ref('int_three_public_rows_classified') }} as cells
    inner join recognised_tables
        on
            cells.document_id = recognised_tables.document_id
            and cells.table_id = recognised_tables.table_id
    left join {{ ref('fct_three_public_costs') }} as facts
        on
            cells.disposition = 'fact'
            and cells.document_id = facts.document_id
            and cells.table_id = facts.source_table
            and cells.category = facts.category
            and cells.amount_basis = facts.amount_basis
    group by all

),

three_public_landed as (

    -- every landed 三公 cell must be in the classified model exactly once
    select
        'three_public_rows' as dataset,
        cells.document_id,
        cells.table_id,
        cells.source_line,
        cells.measure,
        cells.measure_header,
        count(classified.document_id) as n_destinations
    from three_public_rows_cells as cells
    left join {{ ref('int_three_public_rows_classified') }} as classified
        on
            cells.document_id = classified.document_id
            and cells.table_id = classified.table_id
            and cells.source_line = classified.source_line
            and cells.category = classified.category
            and cells.measure = classified.measure
            and cells.measure_header is not distinct from classified.measure_header
    group by all

),

---------- projects

project_destinations as (

    select
        'project_rows' as dataset,
        project_rows_cells.document_id,
        project_rows_cells.table_id,
        project_rows_cells.source_line,
        project_rows_cells.measure,
        project_rows_cells.measure_header,
        count(facts.document_id)
        + count(distinct case when printed_rows.disposition != 'fact' then printed_rows.source_line end)
            as n_destinations
    from project_rows_cells
    left join {{ ref('int_project_rows_pivoted') }} as printed_rows
        on
            project_rows_cells.document_id = printed_rows.document_id
            and project_rows_cells.table_id = printed_rows.table_id
            and project_rows_cells.source_line = printed_rows.source_line
    left join {{ ref('fct_projects') }} as facts
        on
            printed_rows.disposition = 'fact'
            and printed_rows.document_id = facts.document_id
            and printed_rows.budget_unit is not distinct from facts.budget_unit
            and printed_rows.project_name = facts.project_name
            and printed_rows.is_carryover = facts.is_carryover
    group by all

),

---------- revenue by source

revenue_destinations as (

    select
        'revenue_rows' as dataset,
        cells.document_id,
        cells.table_id,
        cells.source_line,
        cells.measure,
        cells.measure_header,
        count(classified.document_id) filter (where classified.disposition != 'fact')
        + count(facts.document_id) as n_destinations
    from revenue_rows_cells as cells
    left join {{ ref('int_revenue_rows_classified') }} as classified
        on
            cells.document_id = classified.document_id
            and cells.table_id = classified.table_id
            and cells.source_line = classified.source_line
            and cells.measure = classified.measure
            and cells.measure_header is not distinct from classified.measure_header
    left join {{ ref('fct_revenue_by_source') }} as facts
        on
            classified.disposition = 'fact'
            and classified.document_id = facts.document_id
            and classified.measure = facts.revenue_source
            and facts.source_kind = 'revenue_table'
    group by all

),

---------- 收支总表 (recorded totals only)

summary_destinations as (

    select
        'summary_rows' as dataset,
        cells.document_id,
        cells.table_id,
        cells.source_line,
        cells.measure,
        cells.measure_header,
        count(recorded.document_id) as n_destinations
    from summary_rows_cells as cells
    left join {{ ref('int_summary_classes_resolved') }} as recorded
        on
            cells.document_id = recorded.document_id
            and cells.table_id = recorded.table_id
            and cells.source_line = recorded.source_line
            and cells.side = recorded.side
            and cells.measure = recorded.measure
            and cells.measure_header is not distinct from recorded.measure_header
    group by all

),

---------- 机关运行经费 (recorded totals only)

operating_cost_destinations as (

    select
        'operating_cost_rows' as dataset,
        cells.document_id,
        cells.table_id,
        cells.source_line,
        cells.measure,
        cells.measure_header,
        count(recorded.document_id) as n_destinations
    from operating_cost_rows_cells as cells
    left join {{ ref('int_operating_cost_rows_pivoted') }} as recorded
        on
            cells.document_id = recorded.document_id
            and cells.table_id = recorded.table_id
            and cells.source_line = recorded.source_line
    group by all

),

all_destinations as (

    select * from function_destinations
    union all
    select * from economic_destinations
    union all
    select * from three_public_destinations
    union all
    select * from three_public_landed
    union all
    select * from project_destinations
    union all
    select * from revenue_destinations
    union all
    select * from summary_destinations
    union all
    select * from operating_cost_destinations

)

select *
from all_destinations
where n_destinations != 1
