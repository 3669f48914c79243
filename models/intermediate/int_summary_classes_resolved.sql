-- Every landed cell of the two-sided summary tables (收支总表 / 财政拨款收支总表), with the
-- expenditure-side function classes resolved to a class code and the revenue-side labels mapped
-- to a revenue source. Expenditure items print the class as a name with a Chinese ordinal
-- (二十一、住房保障支出, （八）社会保障和就业支出) or as code + name (221 住房保障支出); the code is
-- taken as printed when there is one, otherwise the name (ordinal, code, spaces and trailing
-- 支出 stripped) is looked up in seed function_class_names and the class rows of the reference
-- function classification.

-- the expenditure side listed again by economic class (loaders settings.SUMMARY_EXTRA_PAIRS):
-- its rows are not function classes
{% set economic_listing_measures = "('dept_economic_amount', 'gov_economic_amount')" %}

with

summary_rows as (

    select * from {{ documents_to_build(ref('stg_landed__summary_rows')) }}

),

class_names as (

    select
        cast(class_code as varchar) as class_code,
        name_zh as class_name
    from {{ ref('function_class_names') }}

    union

    select
        cast(code as varchar) as class_code,
        name as class_name
    from {{ ref('ref_function_classification') }}
    where length(cast(code as varchar)) = 3

),

-- one code per normalised name; a name that points at two codes is ambiguous and not used
name_lookup as (

    select
        {{ normalise_class_label('class_name') }} as name_key,
        min(class_code) as class_code,
        count(distinct class_code) as n_codes
    from class_names
    group by 1

),

labelled as (

    select
        *,
        {{ normalise_class_label('coalesce(class_name, item_label)') }} as name_key
    from summary_rows

),

resolved as (

    select
        labelled.* exclude (labelled.name_key),
        case
            when labelled.side != 'expenditure' or labelled.row_role not in ('item', 'sub_item')
                then null
            when labelled.measure in {{ economic_listing_measures }} then null
            when labelled.class_code is not null then labelled.class_code
            when name_lookup.n_codes = 1 then name_lookup.class_code
        end as resolved_class_code,
        case
            when labelled.side != 'expenditure' or labelled.row_role not in ('item', 'sub_item')
                then null
            when labelled.measure in {{ economic_listing_measures }} then null
            when labelled.class_code is not null then 'printed'
            when name_lookup.n_codes = 1 then 'name_matched'
            when name_lookup.n_codes > 1 then 'ambiguous'
            else 'unmatched'
        end as class_code_resolution,
        case
            when labelled.side = 'revenue'
                then {{ revenue_source_from_label('labelled.item_label') }}
        end as revenue_source
    from labelled
    left join name_lookup
        on labelled.name_key = name_lookup.name_key

)

select * from resolved
