-- R04: revenue total = expenditure total (a budget balances): 收入总计 against 支出总计 in each
-- two-sided summary table (收支总表, 财政拨款收支总表), in the column printed for both sides.
-- A document printing no summary table cannot be checked (`not_evaluable`).

with

summary as (

    select * from {{ ref('stg_landed__summary_rows') }}
    where row_role = 'total'

),

documents as (

    select document_id from {{ ref('stg_landed__documents') }}

),

tables as (

    select * from {{ ref('stg_landed__tables') }}

),

sides as (

    select
        document_id,
        table_id,
        max(amount) filter (where side = 'revenue') as revenue_total,
        -- the expenditure column that holds the whole total: 合计/金额 where several are printed
        coalesce(
            max(amount) filter (where side = 'expenditure' and measure = 'total'),
            max(amount) filter (where side = 'expenditure' and measure = 'amount')
        ) as expenditure_total,
        min(source_line) as source_line
    from summary
    group by all

),

checks as (

    select
        documents.document_id,
        sides.table_id,
        sides.source_line,
        sides.revenue_total,
        sides.expenditure_total
    from documents
    left join sides
        on documents.document_id = sides.document_id

),

final as (

    select
        checks.document_id,
        'R04' as rule_id,
        case
            when checks.revenue_total is null or checks.expenditure_total is null then 'not_evaluable'
            else {{ dq_status('checks.expenditure_total', 'checks.revenue_total', dq_tolerance(1)) }}
        end as status,
        coalesce(tables.title_as_printed, 'no summary table') || ' 收入总计 = 支出总计' as subject,
        checks.revenue_total as expected,
        checks.expenditure_total as actual,
        checks.expenditure_total - checks.revenue_total as difference,
        {{ dq_tolerance(1) }} as tolerance,
        case
            when checks.table_id is null then 'No 收支总表 or 财政拨款收支总表 is printed: the balance cannot be checked.'
            when checks.revenue_total is null or checks.expenditure_total is null
                then
                    '《' || tables.title_as_printed || '》 prints no 收入总计 or no 支出总计.'
            else
                '《' || tables.title_as_printed || '》 line ' || checks.source_line || ': revenue total '
                || {{ dq_num('checks.revenue_total') }} || ', expenditure total '
                || {{ dq_num('checks.expenditure_total') }} || ' (difference '
                || {{ dq_num('checks.expenditure_total - checks.revenue_total') }} || ').'
        end as message,
        checks.table_id as source_table,
        checks.source_line
    from checks
    left join tables
        on checks.table_id = tables.table_id

)

select * from final
