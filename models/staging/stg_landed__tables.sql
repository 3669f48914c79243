with

source as (

    select * from {{ source('landed', 'tables') }}

),

renamed as (

    select
        ---------- ids
        {{ trim_to_null('document_id') }} as document_id,
        {{ trim_to_null('table_id') }} as table_id,
        cast(table_index as integer) as table_index,

        ---------- classification
        {{ trim_to_null('title') }} as title,
        {{ trim_to_null('title_as_printed') }} as title_as_printed,
        {{ trim_to_null('family') }} as family,
        {{ trim_to_null('budget_scope') }} as budget_scope,
        cast(is_carryover as boolean) as is_carryover,

        ---------- units
        {{ trim_to_null('unit_as_printed') }} as unit_as_printed,
        {{ trim_to_null('unit_factor') }} as unit_factor,

        ---------- layout
        {{ trim_to_null('department_line') }} as department_line,
        {{ trim_to_null('header_text') }} as header_text,
        cast(first_line as integer) as first_line,
        cast(last_line as integer) as last_line,
        cast(n_parts as integer) as n_parts,
        cast(n_body_rows as integer) as n_body_rows,
        cast(is_empty as boolean) as is_empty,
        {{ trim_to_null('empty_note') }} as empty_note,
        {{ trim_to_null('layout_note') }} as layout_note,

        ---------- derived flags
        -- a table whose family the loader recognised from its title; `narrative_table` (a table
        -- inside the narrative, without a title) and `unrecognised` land as cells only
        coalesce(
            {{ trim_to_null('family') }} not in ('narrative_table', 'unrecognised'), false
        ) as is_recognised

    from source

)

select * from renamed
