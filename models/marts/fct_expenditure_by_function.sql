-- Expenditure by function classification: one row per document × budget_scope × most detailed
-- function code printed (the leaf rows of the expenditure tables: a code with no printed child
-- below it in the same table). Class and section subtotals and the 合计 rows are not repeated
-- here; they stay in int_function_rows_classified for the document-quality rules. When a table
-- prints the same leaf code more than once (e.g. once per budget unit) the rows are summed and
-- `n_printed_rows` says how many.

with

function_rows as (

    select * from {{ documents_to_build(ref('int_function_rows_classified')) }}
    where disposition = 'fact'

),

documents as (

    select * from {{ documents_to_build(ref('int_documents_resolved')) }}

),

aggregated as (

    select
        document_id,
        budget_scope,
        function_code,
        min(class_code) as class_code,
        min(section_code) as section_code,
        min(code_level) as code_level,
        mode(function_name) as function_name_zh,
        sum(total_amount) as total_amount,
        sum(basic_amount) as basic_amount,
        sum(project_amount) as project_amount,
        sum(personnel_amount) as personnel_amount,
        sum(public_amount) as public_amount,
        min(table_id) as source_table,
        min(source_line) as source_line,
        arg_min(source_page, source_line) as source_page,
        count(*) as n_printed_rows
    from function_rows
    group by document_id, budget_scope, function_code

),

final as (

    select
        ---------- grain
        aggregated.document_id,
        documents.department_id,
        documents.fiscal_year,
        aggregated.budget_scope,
        aggregated.function_code,

        ---------- hierarchy
        aggregated.class_code,
        aggregated.section_code,
        aggregated.code_level,
        aggregated.function_name_zh,

        ---------- amounts (万元)
        cast(aggregated.total_amount as decimal(38, 6)) as total_amount,
        cast(aggregated.basic_amount as decimal(38, 6)) as basic_amount,
        cast(aggregated.project_amount as decimal(38, 6)) as project_amount,
        cast(aggregated.personnel_amount as decimal(38, 6)) as personnel_amount,
        cast(aggregated.public_amount as decimal(38, 6)) as public_amount,

        ---------- the rows to sum: each yuan once (the widest scope the document prints)
        case
            when bool_or(aggregated.budget_scope = 'all_funds') over by_document
                then aggregated.budget_scope = 'all_funds'
            when bool_or(aggregated.budget_scope = 'fiscal_appropriation') over by_document
                then aggregated.budget_scope = 'fiscal_appropriation'
            else aggregated.budget_scope in ('general_public_budget', 'government_fund', 'state_capital')
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
