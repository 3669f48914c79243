-- One row per printed row of the economic-classification tables (一般公共预算基本支出表 =
-- basic_by_economic, 支出经济分类汇总表 = economic_summary), with the landed measures pivoted
-- and the department / government economic codes resolved:
--   * `printed`: the document prints the code;
--   * `name_matched`: the printed name (whitespace, bracket width and 费用/费 normalised) matches
--     exactly one code of the right level in the reference list or in seed economic_name_aliases;
--   * `mapped` (government code only): no government code or name is printed, and seed
--     ref_dept_to_gov_economic_mapping gives exactly one government code for the department code;
--   * `unmatched`: only the name is known.
-- Printed subtotal rows (total, unit, class) are kept with disposition `subtotal`.

{% set economic_measures = [
    'total', 'personnel', 'public', 'by_source', 'gpb', 'gpb_fiscal', 'government_fund',
    'state_capital', 'carryover', 'special_account', 'business_income', 'superior_subsidy',
    'subordinate_remit', 'operating_income', 'other_income', 'fiscal_total', 'basic', 'project'
] %}
{% set source_measures = [
    'gpb', 'government_fund', 'state_capital', 'carryover', 'special_account',
    'business_income', 'superior_subsidy', 'subordinate_remit', 'operating_income',
    'other_income'
] %}

with

economic_rows as (

    select * from {{ documents_to_build(ref('stg_landed__economic_rows')) }}

),

tables as (

    select * from {{ documents_to_build(ref('stg_landed__tables')) }}

),

---------- reference names: (scheme, normalised name) -> code

reference_codes as (

    select
        scheme,
        code as economic_code,
        name as economic_name
    from {{ ref('int_reference_codes') }}
    where scheme in ('department', 'government')

),

-- printed naming variants (其他交通费 for 其他交通费用, …) point at a canonical reference name
alias_codes as (

    select
        aliases.scheme,
        reference_codes.economic_code,
        aliases.name_variant as economic_name
    from {{ ref('economic_name_aliases') }} as aliases
    inner join reference_codes
        on
            aliases.scheme = reference_codes.scheme
            and {{ normalise_name('aliases.canonical_name') }}
            = {{ normalise_name('reference_codes.economic_name') }}

),

reference_names as (

    select * from reference_codes
    union all
    select * from alias_codes

),

name_lookup as (

    select
        scheme,
        length(economic_code) as code_length,
        {{ normalise_name('economic_name') }} as name_key,
        min(economic_code) as economic_code,
        count(distinct economic_code) as n_codes
    from reference_names
    where economic_code is not null
    group by scheme, length(economic_code), {{ normalise_name('economic_name') }}

),

-- department code -> government code, only where the correspondence is unambiguous
dept_to_gov as (

    select
        cast(dept_code as varchar) as dept_code,
        min(cast(gov_code as varchar)) as gov_code
    from {{ ref('ref_dept_to_gov_economic_mapping') }}
    where gov_code is not null
    group by cast(dept_code as varchar)
    having count(distinct gov_code) = 1

),

---------- one row per printed row

table_measures as (

    select
        document_id,
        table_id,
        list_sort(list(distinct measure)) as measures_printed
    from economic_rows
    group by document_id, table_id

),

pivoted as (

    select
        document_id,
        table_id,
        source_line,
        source_page,
        table_kind,
        column_group,
        row_role,
        dept_economic_code as dept_code_printed,
        dept_code_as_printed,
        dept_economic_name,
        gov_economic_code as gov_code_printed,
        gov_code_as_printed,
        gov_economic_name,
        string_agg(distinct parse_note, '; ' order by parse_note) as parse_note,
        count(*) as n_cells,
        {{ pivot_measures(economic_measures) }}
    from economic_rows
    group by
        document_id,
        table_id,
        source_line,
        source_page,
        table_kind,
        column_group,
        row_role,
        dept_economic_code,
        dept_code_as_printed,
        dept_economic_name,
        gov_economic_code,
        gov_code_as_printed,
        gov_economic_name

),

zero_filled as (

    select
        pivoted.* exclude ({{ prefixed_columns(economic_measures, 'm_') }}),
        table_measures.measures_printed,
        {{ zero_fill_measures(economic_measures, 'table_measures.measures_printed', 'pivoted') }}
    from pivoted
    inner join table_measures
        on
            pivoted.document_id = table_measures.document_id
            and pivoted.table_id = table_measures.table_id

),

-- the code length a row's name should resolve to: 类 rows 3 digits, 款 rows 5 digits;
-- facts come from the first table of each kind in a document
with_level as (

    select
        zero_filled.*,
        case when zero_filled.row_role = 'class' then 3 else 5 end as expected_code_length,
        dense_rank() over (
            partition by zero_filled.document_id, zero_filled.table_kind
            order by tables.table_index, zero_filled.table_id
        ) as kind_table_rank
    from zero_filled
    left join tables
        on
            zero_filled.document_id = tables.document_id
            and zero_filled.table_id = tables.table_id

),

resolved as (

    select
        with_level.*,
        dept_names.economic_code as dept_code_by_name,
        dept_names.n_codes as dept_name_n_codes,
        gov_names.economic_code as gov_code_by_name,
        gov_names.n_codes as gov_name_n_codes
    from with_level
    left join name_lookup as dept_names
        on
            dept_names.scheme = 'department'
            and with_level.expected_code_length = dept_names.code_length
            and {{ normalise_name('with_level.dept_economic_name') }} = dept_names.name_key
    left join name_lookup as gov_names
        on
            gov_names.scheme = 'government'
            and with_level.expected_code_length = gov_names.code_length
            and {{ normalise_name('with_level.gov_economic_name') }} = gov_names.name_key

),

coded as (

    select
        resolved.*,
        case
            when resolved.dept_code_printed is not null then resolved.dept_code_printed
            when resolved.dept_name_n_codes = 1 then resolved.dept_code_by_name
        end as dept_economic_code,
        case
            when resolved.dept_code_printed is not null then 'printed'
            when resolved.dept_name_n_codes = 1 then 'name_matched'
            else 'unmatched'
        end as code_resolution
    from resolved

),

final as (

    select
        ---------- ids and provenance
        coded.document_id,
        coded.table_id,
        coded.source_line,
        coded.source_page,
        coded.table_kind,
        case coded.table_kind
            when 'basic_by_economic' then 'basic'
            when 'economic_summary' then 'all'
        end as expenditure_type,
        coded.column_group,
        coded.row_role,
        case
            when coded.row_role != 'item' then 'subtotal'
            when coded.kind_table_rank > 1 then 'repeated_table'
            else 'fact'
        end as disposition,

        ---------- department economic classification
        coded.dept_economic_code,
        coded.dept_code_printed,
        coded.dept_code_as_printed,
        coded.dept_economic_name,
        coded.code_resolution,

        ---------- government economic classification
        case
            when coded.gov_code_printed is not null then coded.gov_code_printed
            when coded.gov_name_n_codes = 1 then coded.gov_code_by_name
            when coded.gov_economic_name is null then dept_to_gov.gov_code
        end as gov_economic_code,
        coded.gov_code_printed,
        coded.gov_code_as_printed,
        coded.gov_economic_name,
        case
            when coded.gov_code_printed is not null then 'printed'
            when coded.gov_name_n_codes = 1 then 'name_matched'
            when coded.gov_economic_name is null and dept_to_gov.gov_code is not null then 'mapped'
            when coded.gov_economic_name is null then 'not_printed'
            else 'unmatched'
        end as gov_code_resolution,

        ---------- amounts
        case
            when coded.m_total is not null then coded.m_total
            when coalesce(coded.m_personnel, coded.m_public) is not null
                then coalesce(coded.m_personnel, 0) + coalesce(coded.m_public, 0)
            when coalesce({{ prefixed_columns(source_measures, 'coded.m_') }}) is not null
                then {{ sum_of_columns(source_measures, 'coded.m_') }}
            else coded.m_by_source
        end as amount,
        coded.m_personnel as personnel_amount,
        coded.m_public as public_amount,
        {{ renamed_columns(economic_measures, 'coded.m_', 'measure_') }},
        coded.measures_printed,
        coded.parse_note,
        coded.n_cells
    from coded
    left join dept_to_gov
        on coded.dept_economic_code = dept_to_gov.dept_code

)

select * from final
