with

source as (

    select * from {{ source('landed', 'economic_rows') }}

),

renamed as (

    select
        ---------- ids
        {{ trim_to_null('document_id') }} as document_id,
        {{ trim_to_null('table_id') }} as table_id,
        cast(source_line as integer) as source_line,
        cast(source_page as integer) as source_page,

        ---------- row
        {{ trim_to_null('table_kind') }} as table_kind,
        {{ trim_to_null('dept_economic_code') }} as dept_economic_code,
        {{ trim_to_null('dept_code_as_printed') }} as dept_code_as_printed,
        {{ trim_to_null('dept_economic_name') }} as dept_economic_name,
        {{ trim_to_null('gov_economic_code') }} as gov_economic_code,
        {{ trim_to_null('gov_code_as_printed') }} as gov_code_as_printed,
        {{ trim_to_null('gov_economic_name') }} as gov_economic_name,
        {{ trim_to_null('parse_note') }} as parse_note,
        cast(column_group as integer) as column_group,
        {{ trim_to_null('row_role') }} as row_role,

        ---------- measure
        {{ trim_to_null('measure') }} as measure,
        {{ trim_to_null('measure_header') }} as measure_header,
        cast(amount as decimal(20, 6)) as amount,
        cast(amount_as_printed as varchar) as amount_as_printed

    from source

)

select * from renamed
