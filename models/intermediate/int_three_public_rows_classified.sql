-- Every landed cell of the 三公经费 tables with its disposition: the main (合计) column of the
-- four leaf categories feeds fct_three_public_costs (`fact`); the 三公 total and the vehicle
-- subtotal rows are printed subtotals (`subtotal`); the funding-source columns (一般公共预算,
-- 政府性基金, 国有资本经营预算) are a breakdown of the main column (`breakdown`). When a document
-- prints more than one 三公 table, facts come from the first (`repeated_table` for the others).
-- A 决算 table printing 预算数 beside 决算数 lands each cell with its `amount_basis`.

with

three_public_rows as (

    select * from {{ documents_to_build(ref('stg_landed__three_public_rows')) }}

),

tables as (

    select * from {{ documents_to_build(ref('stg_landed__tables')) }}

),

table_measures as (

    select
        document_id,
        table_id,
        list_contains(list(distinct measure), 'amount') as prints_amount_column
    from three_public_rows
    group by document_id, table_id

),

ranked as (

    select
        three_public_rows.*,
        table_measures.prints_amount_column,
        dense_rank() over (
            partition by three_public_rows.document_id
            order by tables.table_index, three_public_rows.table_id
        ) as table_rank
    from three_public_rows
    inner join table_measures
        on
            three_public_rows.document_id = table_measures.document_id
            and three_public_rows.table_id = table_measures.table_id
    left join tables
        on
            three_public_rows.document_id = tables.document_id
            and three_public_rows.table_id = tables.table_id

),

final as (

    select
        document_id,
        table_id,
        source_line,
        source_page,
        category,
        label_as_printed,
        amount_basis,
        row_role,
        measure,
        measure_header,
        amount,
        amount_as_printed,
        category in (
            'outbound_travel', 'official_reception', 'vehicle_purchase', 'vehicle_operation'
        ) as is_leaf_category,
        case
            when table_rank > 1 then 'repeated_table'
            when category not in (
                'outbound_travel', 'official_reception', 'vehicle_purchase', 'vehicle_operation'
            ) then 'subtotal'
            -- the main column when printed; otherwise the source columns add up to the amount
            when measure = 'amount' or not prints_amount_column then 'fact'
            else 'breakdown'
        end as disposition
    from ranked

)

select * from final
