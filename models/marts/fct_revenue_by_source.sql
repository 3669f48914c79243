-- Revenue by source (收入来源): one row per document × revenue source. Taken from the 收入总表
-- when the document prints one (its 合计 row, or its least deep rows), otherwise from the
-- revenue side of the 收支总表, otherwise from the revenue side of the 财政拨款收支总表.
-- Aggregate columns (总计, 合计, 小计) and "其中" columns are not sources and are not repeated here.

with

revenue_cells as (

    select * from {{ documents_to_build(ref('int_revenue_rows_classified')) }}
    where disposition = 'fact'

),

summary_cells as (

    select * from {{ documents_to_build(ref('int_summary_classes_resolved')) }}
    where
        side = 'revenue'
        -- a 政府性基金收支表 lists one budget's revenue only: never the document's sources
        and table_kind in ('department_summary', 'fiscal_summary')
        and row_role in ('item', 'carryover')
        and revenue_source is not null
        and measure in ('amount', 'total')

),

documents as (

    select * from {{ documents_to_build(ref('int_documents_resolved')) }}

),

from_revenue_table as (

    select
        document_id,
        measure as revenue_source,
        'revenue_table' as source_kind,
        mode(measure_header) as revenue_source_label,
        sum(amount) as amount,
        min(table_id) as source_table,
        min(source_line) as source_line,
        arg_min(source_page, source_line) as source_page,
        count(*) as n_printed_cells
    from revenue_cells
    group by document_id, measure

),

-- summary tables: the department summary (收支总表) before the fiscal one (财政拨款收支总表)
from_summary_table as (

    select
        document_id,
        revenue_source,
        table_kind as source_kind,
        mode(item_label) as revenue_source_label,
        sum(amount) as amount,
        min(table_id) as source_table,
        min(source_line) as source_line,
        arg_min(source_page, source_line) as source_page,
        count(*) as n_printed_cells
    from summary_cells
    group by document_id, table_kind, revenue_source

),

summary_preferred as (

    select *
    from from_summary_table
    qualify dense_rank() over (
        partition by document_id
        order by case source_kind when 'department_summary' then 1 else 2 end
    ) = 1

),

unioned as (

    select * from from_revenue_table

    union all

    select * from summary_preferred
    where document_id not in (select from_revenue_table.document_id from from_revenue_table)

),

final as (

    select
        ---------- grain
        unioned.document_id,
        documents.department_id,
        documents.fiscal_year,
        unioned.revenue_source,
        unioned.revenue_source_label,

        ---------- amount (万元)
        cast(unioned.amount as decimal(38, 6)) as amount,

        ---------- provenance
        unioned.source_kind,
        unioned.source_table,
        unioned.source_line,
        unioned.source_page,
        unioned.n_printed_cells
    from unioned
    left join documents
        on unioned.document_id = documents.document_id

)

select * from final
