-- Expenditure by economic classification: one row per document × expenditure_type ×
-- department economic code × government economic code. `basic` rows come from the item rows of
-- the 一般公共预算基本支出表, `all` rows from the item rows of the 支出经济分类汇总表. Where a
-- printed name could not be resolved to a code, the printed name is part of the grain
-- (dept_economic_name / gov_economic_name), so unmatched rows stay distinct. Class and total
-- rows stay in int_economic_rows_resolved.

with

economic_rows as (

    select * from {{ documents_to_build(ref('int_economic_rows_resolved')) }}
    where disposition = 'fact'

),

documents as (

    select * from {{ documents_to_build(ref('int_documents_resolved')) }}

),

keyed as (

    select
        *,
        -- printed names are only part of the key where the code is unknown
        case when dept_economic_code is null then dept_economic_name end as dept_name_key,
        case when gov_economic_code is null then gov_economic_name end as gov_name_key
    from economic_rows

),

aggregated as (

    select
        document_id,
        expenditure_type,
        dept_economic_code,
        gov_economic_code,
        dept_name_key,
        gov_name_key,
        mode(dept_economic_name) as dept_economic_name,
        mode(gov_economic_name) as gov_economic_name,
        sum(amount) as amount,
        sum(personnel_amount) as personnel_amount,
        sum(public_amount) as public_amount,
        -- rows summed into one key share the code, so normally one resolution per key; if not,
        -- the alphabetically last one (unmatched, then printed, then name_matched) is reported
        max(code_resolution) as code_resolution,
        max(gov_code_resolution) as gov_code_resolution,
        min(table_id) as source_table,
        min(source_line) as source_line,
        arg_min(source_page, source_line) as source_page,
        count(*) as n_printed_rows
    from keyed
    group by
        document_id,
        expenditure_type,
        dept_economic_code,
        gov_economic_code,
        dept_name_key,
        gov_name_key

),

final as (

    select
        ---------- grain
        aggregated.document_id,
        documents.department_id,
        documents.fiscal_year,
        aggregated.expenditure_type,
        aggregated.dept_economic_code,
        aggregated.gov_economic_code,
        aggregated.dept_economic_name,
        aggregated.gov_economic_name,

        ---------- amounts (万元)
        cast(aggregated.amount as decimal(38, 6)) as amount,
        cast(aggregated.personnel_amount as decimal(38, 6)) as personnel_amount,
        cast(aggregated.public_amount as decimal(38, 6)) as public_amount,

        ---------- code resolution
        aggregated.code_resolution,
        aggregated.gov_code_resolution,

        ---------- the rows to sum: each yuan once (all where printed, else basic and project)
        case
            when bool_or(aggregated.expenditure_type = 'all') over by_document
                then aggregated.expenditure_type = 'all'
            else aggregated.expenditure_type in ('basic', 'project')
        end as is_counted_once,

        ---------- provenance
        aggregated.source_table,
        aggregated.source_line,
        aggregated.source_page,
        aggregated.n_printed_rows
    from aggregated
    left join documents
        on aggregated.document_id = documents.document_id
    window by_document as (partition by aggregated.document_id)

)

select * from final
