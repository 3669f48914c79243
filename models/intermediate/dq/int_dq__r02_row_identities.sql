-- R02: on every printed row, a column equals the sum of its part columns (合计 = 基本支出 +
-- 项目支出, 基本支出 = 人员经费 + 公用经费, …). The identities are data: seed dq_identities. An
-- identity applies to a table that prints its parent column and at least one part; a part is left
-- out when the table also prints the part's own parent (so 工资福利支出 is not added twice when
-- 人员经费 is printed). An identity applies only where the table prints each of its direct parts
-- (or the parts that stand in for one): a table that prints 合计 and 项目支出 but 基本支出 only as
-- 人员经费 and 公用经费 cannot be checked for 合计 = 基本支出 + 项目支出. Blank cells count as
-- zero; rows that print neither side are skipped.

with

identities as (

    select * from {{ ref('dq_identities') }}

),

cells as (

    select
        document_id,
        table_id,
        source_line,
        'function_rows' as dataset,
        measure,
        amount
    from {{ ref('stg_landed__function_rows') }}
    union all
    select
        document_id,
        table_id,
        source_line,
        'economic_rows' as dataset,
        measure,
        amount
    from {{ ref('stg_landed__economic_rows') }}
    where table_kind = 'basic_by_economic'
    union all
    select
        document_id,
        table_id,
        source_line,
        'project_rows' as dataset,
        measure,
        amount
    from {{ ref('stg_landed__project_rows') }}

),

tables as (

    select * from {{ ref('stg_landed__tables') }}

),

table_measures as (

    select distinct
        dataset,
        table_id,
        measure
    from cells

),

-- the parts of an identity that are not stand-ins for another part
direct_parts as (

    select
        dataset,
        identity_id,
        part_measure
    from identities
    where skip_if_table_prints is null

),

-- a direct part a table prints, or one of whose stand-ins it prints
covered_parts as (

    select distinct
        table_measures.table_id,
        direct_parts.dataset,
        direct_parts.identity_id,
        direct_parts.part_measure
    from direct_parts
    left join identities as stand_ins
        on
            direct_parts.identity_id = stand_ins.identity_id
            and direct_parts.part_measure = stand_ins.skip_if_table_prints
    inner join table_measures
        on
            direct_parts.dataset = table_measures.dataset
            and table_measures.measure in (direct_parts.part_measure, stand_ins.part_measure)

),

n_direct_parts as (

    select
        dataset,
        identity_id,
        count(*) as n_parts
    from direct_parts
    group by all

),

-- the identities whose every direct part a table prints
complete_identities as (

    select
        covered_parts.table_id,
        covered_parts.dataset,
        covered_parts.identity_id
    from covered_parts
    inner join n_direct_parts
        on
            covered_parts.dataset = n_direct_parts.dataset
            and covered_parts.identity_id = n_direct_parts.identity_id
    group by covered_parts.table_id, covered_parts.dataset, covered_parts.identity_id, n_direct_parts.n_parts
    having count(distinct covered_parts.part_measure) = n_direct_parts.n_parts

),

-- identities that apply to a table, with the parts that table prints
applicable as (

    select
        table_measures.table_id,
        identities.dataset,
        identities.identity_id,
        identities.parent_measure,
        identities.part_measure
    from identities
    inner join table_measures
        on
            identities.dataset = table_measures.dataset
            and identities.part_measure = table_measures.measure
    inner join table_measures as parent_printed
        on
            table_measures.table_id = parent_printed.table_id
            and identities.parent_measure = parent_printed.measure
    inner join complete_identities
        on
            table_measures.table_id = complete_identities.table_id
            and identities.dataset = complete_identities.dataset
            and identities.identity_id = complete_identities.identity_id
    left join table_measures as skip_printed
        on
            table_measures.table_id = skip_printed.table_id
            and identities.skip_if_table_prints = skip_printed.measure
    where skip_printed.measure is null

),

printed_rows as (

    select distinct
        document_id,
        table_id,
        source_line
    from cells

),

checks as (

    select
        printed_rows.document_id,
        printed_rows.table_id,
        printed_rows.source_line,
        applicable.identity_id,
        applicable.parent_measure,
        string_agg(distinct applicable.part_measure, ' + ' order by applicable.part_measure) as parts,
        count(distinct applicable.part_measure) as n_parts,
        coalesce(max(parent_cells.amount), 0) as parent_amount,
        coalesce(sum(part_cells.amount), 0) as parts_sum,
        count(parent_cells.amount) + count(part_cells.amount) as n_printed
    from printed_rows
    inner join applicable
        on printed_rows.table_id = applicable.table_id
    left join cells as parent_cells
        on
            printed_rows.table_id = parent_cells.table_id
            and printed_rows.source_line = parent_cells.source_line
            and applicable.parent_measure = parent_cells.measure
            and applicable.dataset = parent_cells.dataset
    left join cells as part_cells
        on
            printed_rows.table_id = part_cells.table_id
            and printed_rows.source_line = part_cells.source_line
            and applicable.part_measure = part_cells.measure
            and applicable.dataset = part_cells.dataset
    group by all

),

-- a row that prints neither the column nor any of its parts is not checked
deduplicated as (

    select * from checks
    where n_printed > 0

),

final as (

    select
        deduplicated.document_id,
        'R02' as rule_id,
        {{ dq_status('deduplicated.parent_amount', 'deduplicated.parts_sum', dq_tolerance('deduplicated.n_parts')) }}
            as status,
        tables.title_as_printed || ' line ' || deduplicated.source_line || ' ' || deduplicated.parent_measure
        || ' = ' || deduplicated.parts as subject,
        deduplicated.parts_sum as expected,
        deduplicated.parent_amount as actual,
        deduplicated.parent_amount - deduplicated.parts_sum as difference,
        {{ dq_tolerance('deduplicated.n_parts') }} as tolerance,
        '《' || tables.title_as_printed || '》 line ' || deduplicated.source_line || ': '
        || deduplicated.parent_measure || ' is ' || {{ dq_num('deduplicated.parent_amount') }} || ' but '
        || deduplicated.parts || ' = ' || {{ dq_num('deduplicated.parts_sum') }} || ' (difference '
        || {{ dq_num('deduplicated.parent_amount - deduplicated.parts_sum') }} || ').' as message,
        deduplicated.table_id as source_table,
        deduplicated.source_line
    from deduplicated
    inner join tables
        on deduplicated.table_id = tables.table_id

)

select * from final
