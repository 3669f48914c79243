-- Values of the form tables (绩效目标表, 政府采购, 购买服务): one row per printed value, with
-- the labels printed beside and above it. Amounts of money in 万元; other values as printed.

with

form_values as (

    select * from {{ documents_to_build(ref('stg_landed__form_values')) }}

),

documents as (

    select * from {{ documents_to_build(ref('int_documents_resolved')) }}

),

final as (

    select
        ---------- grain
        form_values.document_id,
        documents.department_id,
        documents.fiscal_year,
        form_values.table_id as source_table,
        form_values.source_line,
        form_values.col_index,

        ---------- labels
        form_values.family,
        form_values.subject,
        form_values.row_label,
        form_values.column_label,
        form_values.row_role,

        ---------- value
        form_values.value_kind,
        form_values.unit_as_printed,
        cast(form_values.printed_number as decimal(38, 6)) as printed_number,
        cast(form_values.amount as decimal(38, 6)) as amount,
        form_values.value_as_printed,

        ---------- provenance
        form_values.source_page
    from form_values
    left join documents
        on form_values.document_id = documents.document_id

)

select * from final
