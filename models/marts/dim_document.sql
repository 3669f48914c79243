-- One row per loaded document.

with

documents as (

    select * from {{ documents_to_build(ref('int_documents_resolved')) }}

),

final as (

    select
        ---------- ids
        document_id,
        department_id,

        ---------- what the document is
        fiscal_year,
        disclosure_kind,
        disclosure_level,
        disclosure_part,
        title,
        department_name as department_name_as_printed,
        department_names_seen,
        department_resolution,

        ---------- provenance
        source_file,
        source_sha256 as sha256,
        content_sha256,
        encoding,
        source_format,
        page_count,
        parser_version,

        ---------- tables
        unit_as_printed,
        tables_found,
        tables_recognised,
        toc_tables

    from documents

)

select * from final
