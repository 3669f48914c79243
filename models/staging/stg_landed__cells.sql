with

source as (

    select * from {{ source('landed', 'cells') }}

),

renamed as (

    select
        ---------- ids
        {{ trim_to_null('document_id') }} as document_id,
        {{ trim_to_null('table_id') }} as table_id,
        cast(row_index as integer) as row_index,
        cast(col_index as integer) as col_index,

        ---------- cell
        cast(is_header as boolean) as is_header,
        {{ trim_to_null('header_path') }} as header_path,
        -- cell text is kept as printed (not trimmed): it is the evidence
        cast(cell_text as varchar) as cell_text,

        ---------- provenance
        cast(source_line as integer) as source_line,
        cast(source_page as integer) as source_page,

        ---------- position on the page (PDF input; null for text)
        cast(bbox_x0 as double) as bbox_x0,
        cast(bbox_top as double) as bbox_top,
        cast(bbox_x1 as double) as bbox_x1,
        cast(bbox_bottom as double) as bbox_bottom

    from source

)

select * from renamed
