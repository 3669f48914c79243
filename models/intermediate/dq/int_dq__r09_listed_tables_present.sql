-- R09: every table the document's table of contents lists is printed. The loader matches each
-- listed title to a printed table (same title, else the table of the same family and scope);
-- an entry with no match is a missing table. A disclosure published as two files (the
-- narrative and the tables, `disclosure_part`) lists in one part the tables the other prints:
-- an entry of a part is matched in the other part of the same disclosure too.

with

toc_entries as (

    select * from {{ ref('stg_landed__toc_entries') }}

),

documents as (

    select * from {{ ref('int_documents_resolved') }}

),

tables as (

    select * from {{ ref('stg_landed__tables') }}

),

-- the tables of the other part of the same disclosure
sibling_tables as (

    select
        documents.document_id,
        tables.table_id,
        tables.title,
        tables.family,
        tables.budget_scope
    from documents
    inner join documents as other_part
        on
            documents.department_id = other_part.department_id
            and documents.fiscal_year = other_part.fiscal_year
            and documents.disclosure_kind = other_part.disclosure_kind
            and documents.disclosure_level = other_part.disclosure_level
            and documents.document_id != other_part.document_id
            and documents.disclosure_part != 'complete'
            and other_part.disclosure_part != 'complete'
    inner join tables
        on other_part.document_id = tables.document_id

),

sibling_matches as (

    select
        toc_entries.document_id,
        toc_entries.source_line,
        toc_entries.title_as_printed,
        toc_entries.matched_table_id,
        min(sibling_tables.table_id) as sibling_table_id
    from toc_entries
    left join sibling_tables
        on
            toc_entries.matched_table_id is null
            and toc_entries.document_id = sibling_tables.document_id
            and (
                toc_entries.title = sibling_tables.title
                or (
                    toc_entries.family = sibling_tables.family
                    and toc_entries.budget_scope is not distinct from sibling_tables.budget_scope
                )
            )
    group by all

),

matched as (

    select
        document_id,
        source_line,
        title_as_printed,
        coalesce(matched_table_id, sibling_table_id) as matched_table_id
    from sibling_matches

),

final as (

    select
        document_id,
        'R09' as rule_id,
        case when matched_table_id is null then 'fail' else 'pass' end as status,
        '目录: ' || title_as_printed as subject,
        cast(null as decimal(20, 6)) as expected,
        cast(null as decimal(20, 6)) as actual,
        cast(null as decimal(20, 6)) as difference,
        cast(null as decimal(20, 6)) as tolerance,
        case
            when matched_table_id is null
                then
                    'The table of contents (line ' || source_line || ') lists “' || title_as_printed
                    || '”, but no such table is printed in the document.'
            else '“' || title_as_printed || '” is printed.'
        end as message,
        matched_table_id as source_table,
        source_line
    from matched

)

select * from final
