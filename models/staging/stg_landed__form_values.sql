with

source as (

    select * from {{ source('landed', 'form_values') }}

),

renamed as (

    select
        ---------- ids
        {{ trim_to_null('document_id') }} as document_id,
        {{ trim_to_null('table_id') }} as table_id,
        cast(source_line as integer) as source_line,
        cast(source_page as integer) as source_page,
        cast(col_index as integer) as col_index,

        ---------- labels
        {{ trim_to_null('family') }} as family,
        {{ trim_to_null('subject') }} as subject,
        {{ trim_to_null('row_label') }} as row_label,
        {{ trim_to_null('column_label') }} as column_label,
        {{ trim_to_null('row_role') }} as row_role,

        ---------- value
        {{ trim_to_null('value_kind') }} as value_kind,
        {{ trim_to_null('unit_as_printed') }} as unit_as_printed,
        cast(printed_number as decimal(20, 6)) as printed_number,
        cast(amount as decimal(20, 6)) as amount,
        cast(value_as_printed as varchar) as value_as_printed

    from source

)

select * from renamed
