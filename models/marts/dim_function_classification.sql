-- One row per function classification code (支出功能分类) at any level: every code of the
-- reference list (source = 'reference'), every code printed in a loaded document that the list
-- does not attest (source = 'printed_only', named as most often printed), and any class or
-- section above a code that neither provides (source = 'derived_parent', no name). A code
-- missing from the reference list is "not attested", not invalid.

with

reference as (

    select
        cast(code as varchar) as function_code,
        name as name_zh,
        cast(n_sources as integer) as n_sources,
        budget_years_seen
    from {{ ref('ref_function_classification') }}

),

-- the reference list may carry two names for one code (e.g. 215 renamed): keep the most
-- recently attested, then the most widely attested, and list all of them
reference_one_per_code as (

    select
        function_code,
        arg_max(
            name_zh,
            coalesce(list_max(string_split(coalesce(budget_years_seen, ''), ';')), '0000')
            || lpad(cast(coalesce(n_sources, 0) as varchar), 6, '0')
        ) as name_zh,
        string_agg(distinct name_zh, '|' order by name_zh) as name_variants,
        'reference' as source
    from reference
    group by function_code

),

printed_codes as (

    select
        function_code,
        function_name as printed_name
    from {{ ref('int_function_rows_classified') }}
    where function_code is not null

    union all

    select
        function_code,
        row_label as printed_name
    from {{ ref('int_revenue_rows_classified') }}
    where function_code is not null

    union all

    select
        function_code,
        function_name as printed_name
    from {{ ref('stg_landed__project_rows') }}
    where function_code is not null

    union all

    select
        resolved_class_code as function_code,
        class_name as printed_name
    from {{ ref('int_summary_classes_resolved') }}
    where resolved_class_code is not null

),

printed_only as (

    select
        function_code,
        mode(printed_name) as name_zh,
        string_agg(distinct printed_name, '|' order by printed_name) as name_variants,
        'printed_only' as source
    from printed_codes
    where
        function_code not in (select reference_one_per_code.function_code from reference_one_per_code)
        and regexp_matches(function_code, '^[0-9]{3}([0-9]{2}){0,2}$')
    group by function_code

),

known as (

    select * from reference_one_per_code
    union all
    select * from printed_only

),

-- ancestors (class, section) of known codes that are not known themselves
derived_parents as (

    select distinct
        parent.function_code,
        null as name_zh,
        null as name_variants,
        'derived_parent' as source
    from known
    cross join
        unnest([left(known.function_code, 3), left(known.function_code, 5)]) as parent (function_code)
    where
        length(parent.function_code) < length(known.function_code)
        and parent.function_code not in (select known_codes.function_code from known as known_codes)

),

all_codes as (

    select * from known
    union all
    select * from derived_parents

),

final as (

    select
        all_codes.function_code,
        case length(all_codes.function_code)
            when 3 then 'class'
            when 5 then 'section'
            when 7 then 'item'
        end as level,
        all_codes.name_zh,
        case length(all_codes.function_code)
            when 5 then left(all_codes.function_code, 3)
            when 7 then left(all_codes.function_code, 5)
        end as parent_code,
        left(all_codes.function_code, 3) as class_code,
        class_names.name_zh as class_name_zh,
        labels.name_en as class_name_en,
        labels.cofog_division,
        labels.cofog_name_en,
        case when length(all_codes.function_code) >= 5 then left(all_codes.function_code, 5) end as section_code,
        case when length(all_codes.function_code) >= 5 then section_names.name_zh end as section_name_zh,
        all_codes.source,
        all_codes.name_variants
    from all_codes
    left join all_codes as class_names
        on left(all_codes.function_code, 3) = class_names.function_code
    left join all_codes as section_names
        on left(all_codes.function_code, 5) = section_names.function_code
    left join {{ ref('classification_labels_en') }} as labels
        on
            labels.scheme = 'function'
            and left(all_codes.function_code, 3) = labels.class_code

)

select * from final
