with

source as (

    select * from {{ source('landed', 'three_public_rows') }}

),

renamed as (

    select
        ---------- ids
        {{ trim_to_null('document_id') }} as document_id,
        {{ trim_to_null('table_id') }} as table_id,
        cast(source_line as integer) as source_line,
        cast(source_page as integer) as source_page,

        ---------- row
        {{ trim_to_null('category') }} as category,
        {{ trim_to_null('label_as_printed') }} as label_as_printed,
        {{ trim_to_null('amount_basis') }} as amount_basis,
        {{ trim_to_null('row_role') }} as row_role,

        ---------- measure
        {{ trim_to_null('measure') }} as measure,
        {{ trim_to_null('measure_header') }} as measure_header,
        cast(amount as decimal(20, 6)) as amount,
        cast(amount_as_printed as varchar) as amount_as_printed

    from source

)

select * from renamed
