-- One row per printed row of the 机关运行经费 tables, measures pivoted. These tables print only
-- totals (部门合计 and one row per unit): every row is a recorded total (`subtotal`), kept for
-- document-quality rules (e.g. against the 公用经费 total); no fact table is built from them.

with

operating_cost_rows as (

    select * from {{ documents_to_build(ref('stg_landed__operating_cost_rows')) }}

),

pivoted as (

    select
        document_id,
        table_id,
        source_line,
        source_page,
        row_label,
        row_role,
        count(*) as n_cells,
        sum(amount) filter (where measure = 'total') as measure_total,
        sum(amount) filter (where measure = 'gpb') as measure_gpb,
        sum(amount) filter (where measure = 'government_fund') as measure_government_fund,
        sum(amount) filter (where measure = 'state_capital') as measure_state_capital
    from operating_cost_rows
    group by
        document_id,
        table_id,
        source_line,
        source_page,
        row_label,
        row_role

),

final as (

    select
        *,
        coalesce(
            measure_total,
            coalesce(measure_gpb, 0) + coalesce(measure_government_fund, 0) + coalesce(measure_state_capital, 0)
        ) as amount,
        'subtotal' as disposition
    from pivoted

)

select * from final
