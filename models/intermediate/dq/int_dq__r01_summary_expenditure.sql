-- R01 on the expenditure side of the two-sided summary tables (收支总表, 财政拨款收支总表): the
-- function-class rows sum to 本年支出合计, or, where no such row is printed, to 支出总计 less
-- 年终结转结余. Compared per printed column. A class row is one whose class is printed or
-- resolved by name (int_summary_classes_resolved): a template that also lists the 款 and 项
-- under each class by name alone, or lists 基本支出 / 项目支出, has those rows left out.

with

summary_rows as (

    select * from {{ ref('stg_landed__summary_rows') }}
    where side = 'expenditure'

),

tables as (

    select * from {{ ref('stg_landed__tables') }}

),

class_sums as (

    select
        document_id,
        table_id,
        measure,
        sum(amount) as classes_sum,
        count(*) as n_classes
    from {{ ref('int_summary_classes_resolved') }}
    where side = 'expenditure' and row_role = 'item' and resolved_class_code is not null
    group by all

),

tables_with_classes as (

    select distinct
        table_id,
        measure
    from class_sums

),

year_end as (

    select
        table_id,
        measure,
        sum(amount) as year_end_amount
    from summary_rows
    where row_role = 'year_end'
    group by all

),

-- the printed row to compare with: 本年支出合计 if printed, else 支出总计
targets as (

    select
        summary_rows.*,
        row_number() over (
            partition by summary_rows.table_id, summary_rows.measure
            order by case summary_rows.row_role when 'subtotal' then 0 else 1 end, summary_rows.source_line
        ) as preference
    from summary_rows
    where summary_rows.row_role in ('subtotal', 'total')

),

checks as (

    select
        targets.document_id,
        targets.table_id,
        targets.source_line,
        targets.item_label,
        targets.measure,
        targets.amount
        - case when targets.row_role = 'total' then coalesce(year_end.year_end_amount, 0) else 0 end
            as printed_amount,
        coalesce(class_sums.classes_sum, 0) as classes_sum,
        coalesce(class_sums.n_classes, 0) as n_classes
    from targets
    left join class_sums
        on
            targets.table_id = class_sums.table_id
            and targets.measure = class_sums.measure
    left join year_end
        on
            targets.table_id = year_end.table_id
            and targets.measure = year_end.measure
    -- a table (or a column: the expenditure listed again by economic class) that lists no
    -- function class (基本支出 / 项目支出 only) has nothing to sum
    inner join tables_with_classes
        on
            targets.table_id = tables_with_classes.table_id
            and targets.measure = tables_with_classes.measure
    where targets.preference = 1

),

final as (

    select
        checks.document_id,
        'R01' as rule_id,
        {{ dq_status('checks.printed_amount', 'checks.classes_sum', dq_tolerance('checks.n_classes')) }}
            as status,
        tables.title_as_printed || ' line ' || checks.source_line || ' ' || checks.item_label
        || ' [' || checks.measure || ']' as subject,
        checks.classes_sum as expected,
        checks.printed_amount as actual,
        checks.printed_amount - checks.classes_sum as difference,
        {{ dq_tolerance('checks.n_classes') }} as tolerance,
        '《' || tables.title_as_printed || '》 line ' || checks.source_line || ' (' || checks.item_label
        || ') prints ' || {{ dq_num('checks.printed_amount') }} || ' in column ' || checks.measure || '; the '
        || checks.n_classes || ' expenditure classes printed above it sum to ' || {{ dq_num('checks.classes_sum') }}
        || ' (difference ' || {{ dq_num('checks.printed_amount - checks.classes_sum') }} || ').' as message,
        checks.table_id as source_table,
        checks.source_line
    from checks
    inner join tables
        on checks.table_id = tables.table_id

)

select * from final
