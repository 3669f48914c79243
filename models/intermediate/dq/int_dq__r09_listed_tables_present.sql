-- R09: every table the document's table of contents lists is printed. The loader matches each
-- listed title to a printed table (same title, else the table of the same family and scope);
-- an entry with no match is a missing table.

with

toc_entries as (

    select * from {{ ref('stg_landed__toc_entries') }}

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
    from toc_entries

)

select * from final
