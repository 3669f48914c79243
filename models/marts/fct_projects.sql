-- Projects (项目支出): one row per document × budget unit × project × funding period
-- (is_carryover: this year's budget or 上年结转). Rows of a table that print the same project
-- twice for the same unit are summed (`n_printed_rows`). Total, unit and function-class
-- subtotal rows of the project tables stay in int_project_rows_pivoted.

with

project_rows as (

    select * from {{ documents_to_build(ref('int_project_rows_pivoted')) }}
    where disposition = 'fact'

),

documents as (

    select * from {{ documents_to_build(ref('int_documents_resolved')) }}

),

aggregated as (

    select
        project_rows.document_id,
        project_rows.budget_unit,
        project_rows.project_name,
        project_rows.is_carryover,
        mode(project_rows.project_category) as project_category,
        case
            when count(distinct project_rows.function_code) = 1 then min(project_rows.function_code)
        end as function_code,
        case
            when count(distinct project_rows.fund_nature) = 1 then min(project_rows.fund_nature)
        end as fund_nature,
        sum(project_rows.amount) as amount,
        min(project_rows.table_id) as source_table,
        min(project_rows.source_line) as source_line,
        arg_min(project_rows.source_page, project_rows.source_line) as source_page,
        count(*) as n_printed_rows
    from project_rows
    group by
        project_rows.document_id,
        project_rows.budget_unit,
        project_rows.project_name,
        project_rows.is_carryover

),

final as (

    select
        ---------- grain
        aggregated.document_id,
        documents.department_id,
        documents.fiscal_year,
        aggregated.budget_unit,
        aggregated.project_name,
        aggregated.is_carryover,

        ---------- attributes
        aggregated.project_category,
        aggregated.function_code,
        aggregated.fund_nature,

        ---------- amount (万元)
        cast(aggregated.amount as decimal(38, 6)) as amount,

        ---------- provenance
        aggregated.source_table,
        aggregated.source_line,
        aggregated.source_page,
        aggregated.n_printed_rows
    from aggregated
    left join documents
        on aggregated.document_id = documents.document_id

)

select * from final
