-- One row per (scheme, economic code): the department (部门预算支出经济分类) and government
-- (政府预算支出经济分类) economic classification codes of the reference lists
-- (source = 'reference'), codes printed in loaded documents that the lists do not attest
-- (source = 'printed_only') and classes above a known code that neither provides
-- (source = 'derived_parent'). Levels: class = 类 (3 digits), section = 款 (5 digits).

with

reference as (

    select
        scheme,
        code as economic_code,
        name as name_zh
    from {{ ref('int_reference_codes') }}
    where scheme in ('department', 'government')

),

reference_one_per_code as (

    select
        scheme,
        economic_code,
        min(name_zh) as name_zh,
        'reference' as source
    from reference
    group by scheme, economic_code

),

-- class and item rows only: unit rows may carry a budget-unit code in the code column
economic_rows as (

    select * from {{ ref('int_economic_rows_resolved') }}
    where row_role in ('class', 'item')

),

printed_codes as (

    select
        'department' as scheme,
        dept_economic_code as economic_code,
        dept_economic_name as printed_name
    from economic_rows
    where dept_economic_code is not null

    union all

    select
        'government' as scheme,
        gov_economic_code as economic_code,
        gov_economic_name as printed_name
    from economic_rows
    where gov_economic_code is not null

    union all

    select
        'department' as scheme,
        dept_economic_code as economic_code,
        null as printed_name
    from {{ ref('int_project_rows_pivoted') }}
    where dept_economic_code is not null

    union all

    select
        'government' as scheme,
        gov_economic_code as economic_code,
        null as printed_name
    from {{ ref('int_project_rows_pivoted') }}
    where gov_economic_code is not null

),

printed_only as (

    select
        printed_codes.scheme,
        printed_codes.economic_code,
        mode(printed_codes.printed_name) as name_zh,
        'printed_only' as source
    from printed_codes
    left join reference_one_per_code
        on
            printed_codes.scheme = reference_one_per_code.scheme
            and printed_codes.economic_code = reference_one_per_code.economic_code
    where
        reference_one_per_code.economic_code is null
        and regexp_matches(printed_codes.economic_code, '^[0-9]{3}([0-9]{2})?$')
    group by printed_codes.scheme, printed_codes.economic_code

),

known as (

    select * from reference_one_per_code
    union all
    select * from printed_only

),

derived_parents as (

    select distinct
        known.scheme,
        left(known.economic_code, 3) as economic_code,
        null as name_zh,
        'derived_parent' as source
    from known
    left join known as known_parent
        on
            known.scheme = known_parent.scheme
            and left(known.economic_code, 3) = known_parent.economic_code
    where
        length(known.economic_code) = 5
        and known_parent.economic_code is null

),

all_codes as (

    select * from known
    union all
    select * from derived_parents

),

final as (

    select
        all_codes.scheme,
        all_codes.economic_code,
        case length(all_codes.economic_code)
            when 3 then 'class'
            when 5 then 'section'
        end as level,
        all_codes.name_zh,
        case when length(all_codes.economic_code) = 5 then left(all_codes.economic_code, 3) end as parent_code,
        left(all_codes.economic_code, 3) as class_code,
        class_names.name_zh as class_name_zh,
        labels.name_en as class_name_en,
        all_codes.source
    from all_codes
    left join all_codes as class_names
        on
            all_codes.scheme = class_names.scheme
            and left(all_codes.economic_code, 3) = class_names.economic_code
    left join {{ ref('classification_labels_en') }} as labels
        on
            all_codes.scheme = labels.scheme
            and left(all_codes.economic_code, 3) = labels.class_code

)

select * from final
