with

source as (

    select * from {{ source('landed', 'toc_entries') }}

),

renamed as (

    select
        ---------- ids
        {{ trim_to_null('document_id') }} as document_id,
        cast(source_line as integer) as source_line,

        ---------- entry
        {{ trim_to_null('title_as_printed') }} as title_as_printed,
        {{ trim_to_null('title') }} as title,
        {{ trim_to_null('family') }} as family,
        {{ trim_to_null('budget_scope') }} as budget_scope,
        cast(is_carryover as boolean) as is_carryover,
        {{ trim_to_null('matched_table_id') }} as matched_table_id

    from source

)

select * from renamed
