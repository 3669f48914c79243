with

source as (

    select * from {{ source('landed', 'documents') }}

),

renamed as (

    select
        ---------- ids
        {{ trim_to_null('document_id') }} as document_id,

        ---------- provenance
        {{ trim_to_null('source_file') }} as source_file,
        lower({{ trim_to_null('source_sha256') }}) as source_sha256,
        lower({{ trim_to_null('content_sha256') }}) as content_sha256,
        {{ trim_to_null('encoding') }} as encoding,
        {{ trim_to_null('source_format') }} as source_format,
        {{ trim_to_null('parser_version') }} as parser_version,
        {{ trim_to_null('parser_fingerprint') }} as parser_fingerprint,

        ---------- text
        {{ trim_to_null('title') }} as title,
        {{ trim_to_null('department_name') }} as department_name,
        {{ trim_to_null('department_names_seen') }} as department_names_seen,
        {{ trim_to_null('disclosure_kind') }} as disclosure_kind,
        coalesce({{ trim_to_null('disclosure_level') }}, 'department') as disclosure_level,
        {{ trim_to_null('disclosure_part') }} as disclosure_part,
        {{ trim_to_null('unit_as_printed') }} as unit_as_printed,
        {{ trim_to_null('toc_tables') }} as toc_tables,

        ---------- numerics
        cast(fiscal_year as integer) as fiscal_year,
        cast(page_count as integer) as page_count,
        cast(tables_found as integer) as tables_found,
        cast(tables_recognised as integer) as tables_recognised

    from source

)

select * from renamed
