-- Every landed cell of the 收入总表 (revenue by source) with its disposition for
-- fct_revenue_by_source. Per table, the least deep rows printed (the 合计 row, else the unit
-- rows, else the class rows) carry the document's revenue by source; deeper rows break the same
-- money down by unit or function code (`detail`). Among the columns, aggregates (总计, 本年收入合计,
-- 财政拨款小计, and coarser carryover or 单位资金 columns when finer ones are printed) are
-- `aggregate`, and "其中" columns (其中：财政拨款, and any `of_which` column: 其中：教育收费) are
-- `sub_item`; the remaining columns are the
-- revenue sources (`fact`). Only the first revenue table of a document is used.

with

revenue_rows as (

    select * from {{ documents_to_build(ref('stg_landed__revenue_rows')) }}

),

tables as (

    select * from {{ documents_to_build(ref('stg_landed__tables')) }}

),

with_depth as (

    select
        revenue_rows.*,
        case revenue_rows.row_role
            when 'total' then 0
            when 'unit' then 1
            when 'class' then 2
            when 'section' then 3
            when 'item' then 4
        end as row_depth,
        dense_rank() over (
            partition by revenue_rows.document_id
            order by tables.table_index, revenue_rows.table_id
        ) as table_rank
    from revenue_rows
    left join tables
        on
            revenue_rows.document_id = tables.document_id
            and revenue_rows.table_id = tables.table_id

),

table_profile as (

    select
        document_id,
        table_id,
        min(row_depth) as min_row_depth,
        list(distinct measure) as measures_printed
    from with_depth
    group by document_id, table_id

),

classified as (

    select
        with_depth.*,
        case
            when with_depth.measure in ('total', 'current_total', 'fiscal_total') then 'aggregate'
            when with_depth.measure in ('gpb_fiscal', 'of_which') then 'sub_item'
            -- carryover: use the finest level the table prints
            when
                with_depth.measure = 'carryover_total'
                and list_has_any(table_profile.measures_printed, [
                    'carryover_fiscal', 'carryover_nonfiscal', 'carryover_gpb',
                    'carryover_government_fund', 'carryover_state_capital',
                    'carryover_special_account', 'carryover_unit_funds'
                ])
                then 'aggregate'
            when
                with_depth.measure in ('carryover_fiscal', 'carryover_nonfiscal')
                and list_has_any(table_profile.measures_printed, [
                    'carryover_gpb', 'carryover_government_fund', 'carryover_state_capital',
                    'carryover_special_account', 'carryover_unit_funds'
                ])
                then 'aggregate'
            -- 单位资金 is the sum of 事业收入 … 其他收入 when those are printed too
            when
                with_depth.measure = 'unit_funds'
                and list_has_any(table_profile.measures_printed, [
                    'business_income', 'operating_income', 'superior_subsidy',
                    'subordinate_remit', 'other_income'
                ])
                then 'aggregate'
            else 'source'
        end as column_kind,
        with_depth.row_depth = table_profile.min_row_depth as is_top_level_row
    from with_depth
    inner join table_profile
        on
            with_depth.document_id = table_profile.document_id
            and with_depth.table_id = table_profile.table_id

),

final as (

    select
        document_id,
        table_id,
        source_line,
        source_page,
        unit_code,
        function_code,
        code_as_printed,
        row_label,
        row_role,
        measure,
        measure_header,
        amount,
        amount_as_printed,
        column_kind,
        is_top_level_row,
        case
            when table_rank > 1 then 'repeated_table'
            when not is_top_level_row then 'detail'
            when column_kind = 'source' then 'fact'
            else column_kind
        end as disposition
    from classified

)

select * from final
