-- R08: 三公经费 total = 因公出国（境）费 + 公务接待费 + 公务用车购置费 + 公务用车运行维护费, and
-- where the vehicle subtotal is printed, 公务用车购置及运行费 = 购置费 + 运行维护费. Main (合计)
-- column; a category left blank counts as zero. Without a printed total: `not_evaluable`. A 决算
-- table printing 预算数 beside 决算数 is checked for each basis.

with

cells as (

    select * from {{ ref('stg_landed__three_public_rows') }}
    where measure = 'amount'

),

tables as (

    select * from {{ ref('stg_landed__tables') }}

),

per_table as (

    select
        document_id,
        table_id,
        amount_basis,
        count(*) over (partition by document_id, table_id) as n_bases,
        min(source_line) as source_line,
        max(amount) filter (where category = 'total') as printed_total,
        max(amount) filter (where category = 'vehicle_total') as printed_vehicle_total,
        coalesce(sum(amount) filter (
            where category in ('outbound_travel', 'official_reception', 'vehicle_purchase', 'vehicle_operation')
        ), 0) as four_categories,
        coalesce(sum(amount) filter (where category in ('vehicle_purchase', 'vehicle_operation')), 0) as vehicle_parts,
        count(*) filter (
            where category in ('outbound_travel', 'official_reception', 'vehicle_purchase', 'vehicle_operation')
        ) as n_categories,
        count(*) filter (where category in ('vehicle_purchase', 'vehicle_operation')) as n_vehicle_parts
    from cells
    group by document_id, table_id, amount_basis

),

checks as (

    select
        document_id,
        table_id,
        source_line,
        '三公经费合计 = 出国 + 接待 + 购车 + 用车运行'
        || case when n_bases > 1 then ' [' || amount_basis || ']' else '' end as identity_checked,
        printed_total as printed,
        four_categories as parts_sum,
        n_categories as n_parts
    from per_table

    union all

    select
        document_id,
        table_id,
        source_line,
        '公务用车购置及运行费 = 购置 + 运行'
        || case when n_bases > 1 then ' [' || amount_basis || ']' else '' end as identity_checked,
        printed_vehicle_total,
        vehicle_parts,
        n_vehicle_parts
    from per_table
    where printed_vehicle_total is not null

),

final as (

    select
        checks.document_id,
        'R08' as rule_id,
        case
            when checks.printed is null then 'not_evaluable'
            else {{ dq_status('checks.printed', 'checks.parts_sum', dq_tolerance('checks.n_parts')) }}
        end as status,
        tables.title_as_printed || ': ' || checks.identity_checked as subject,
        checks.parts_sum as expected,
        checks.printed as actual,
        checks.printed - checks.parts_sum as difference,
        {{ dq_tolerance('checks.n_parts') }} as tolerance,
        case
            when checks.printed is null then '《' || tables.title_as_printed || '》 prints no 三公 total.'
            else
                '《' || tables.title_as_printed || '》 line ' || checks.source_line || ': ' || checks.identity_checked
                || ' — printed ' || {{ dq_num('checks.printed') }} || ', parts sum to '
                || {{ dq_num('checks.parts_sum') }} || ' (difference '
                || {{ dq_num('checks.printed - checks.parts_sum') }} || ').'
        end as message,
        checks.table_id as source_table,
        checks.source_line
    from checks
    inner join tables
        on checks.table_id = tables.table_id

)

select * from final
