with

source as (

    select * from {{ source('landed', 'parse_notes') }}

),

renamed as (

    select
        ---------- ids
        {{ trim_to_null('document_id') }} as document_id,
        {{ trim_to_null('table_id') }} as table_id,
        cast(source_line as integer) as source_line,

        ---------- note
        {{ trim_to_null('severity') }} as severity,
        {{ trim_to_null('code') }} as note_code,
        {{ trim_to_null('message') }} as message

    from source

)

select * from renamed
