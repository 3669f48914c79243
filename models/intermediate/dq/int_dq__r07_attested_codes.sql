-- R07: a printed code is attested in the reference list for its level (seeds ref_*), and its
-- printed name matches the attested name (normalised: whitespace, bracket width, 费用/费, plus the
-- naming variants of seeds function_class_names and economic_name_aliases).
--   pass           the code is attested and the name matches;
--   fail           the code is attested under another name, or it is not attested but the printed
--                  name is attested for a different code of the same level (a misprinted code);
--   unattested     neither the code nor the name is in the (partial) reference list: "not
--                  attested" is not "invalid" (seeds/reference/SOURCES.md), so it is no finding
--                  (fct_dq_findings keeps fail and not_evaluable only); the code shows as
--                  source = 'printed_only' in dim_function_classification / dim_economic_...

with

printed as (

    select distinct
        document_id,
        'function' as scheme,
        function_code as code,
        function_name as name
    from {{ ref('stg_landed__function_rows') }}
    where function_code is not null and function_name is not null
    union
    select distinct
        document_id,
        'function' as scheme,
        function_code,
        row_label
    from {{ ref('stg_landed__revenue_rows') }}
    where function_code is not null and row_label is not null
    union
    select distinct
        document_id,
        'department' as scheme,
        dept_economic_code,
        dept_economic_name
    from {{ ref('stg_landed__economic_rows') }}
    where dept_economic_code is not null and dept_economic_name is not null and row_role in ('class', 'item')
    union
    select distinct
        document_id,
        'government' as scheme,
        gov_economic_code,
        gov_economic_name
    from {{ ref('stg_landed__economic_rows') }}
    where gov_economic_code is not null and gov_economic_name is not null

),

reference as (

    select
        scheme,
        code,
        name
    from {{ ref('int_reference_codes') }}
    union all
    -- 类 names as printed without codes (naming variants across years)
    select
        'function' as scheme,
        cast(class_code as varchar) as code,
        name_zh as name
    from {{ ref('function_class_names') }}

),

-- printed naming variants count as the canonical reference name
reference_with_aliases as (

    select
        scheme,
        code,
        {{ normalise_name('name') }} as name_key,
        name
    from reference
    union all
    select
        reference.scheme,
        reference.code,
        {{ normalise_name('aliases.name_variant') }} as name_key,
        reference.name
    from {{ ref('economic_name_aliases') }} as aliases
    inner join reference
        on
            aliases.scheme = reference.scheme
            and {{ normalise_name('aliases.canonical_name') }} = {{ normalise_name('reference.name') }}

),

checks as (

    select
        printed.document_id,
        printed.scheme,
        printed.code,
        printed.name,
        bool_or(same_code.code is not null) as code_attested,
        bool_or(same_code.name_key = {{ normalise_name('printed.name') }}) as name_matches,
        string_agg(distinct same_code.name, ' / ' order by same_code.name) as attested_names,
        (
            select string_agg(distinct other.code, ', ' order by other.code)
            from reference_with_aliases as other
            where
                other.scheme = printed.scheme
                and length(other.code) = length(printed.code)
                and other.code != printed.code
                and other.name_key = {{ normalise_name('printed.name') }}
        ) as name_attested_for
    from printed
    left join reference_with_aliases as same_code
        on
            printed.scheme = same_code.scheme
            and printed.code = same_code.code
    group by all

),

first_printed as (

    select
        document_id,
        function_code as code,
        min(table_id) as table_id,
        min(source_line) as source_line
    from {{ ref('stg_landed__function_rows') }}
    where function_code is not null
    group by all

),

final as (

    select
        checks.document_id,
        'R07' as rule_id,
        case
            when checks.code_attested and checks.name_matches then 'pass'
            when checks.code_attested then 'fail'
            when checks.name_attested_for is not null then 'fail'
            -- neither the code nor its name is in our partial list: nothing says the document
            -- is wrong, so it is no finding (dim_*_classification.source = 'printed_only')
            else 'unattested'
        end as status,
        checks.scheme || ' code ' || checks.code || ' ' || checks.name as subject,
        cast(null as decimal(20, 6)) as expected,
        cast(null as decimal(20, 6)) as actual,
        cast(null as decimal(20, 6)) as difference,
        cast(null as decimal(20, 6)) as tolerance,
        case
            when checks.code_attested and checks.name_matches
                then
                    checks.scheme || ' code ' || checks.code || ' “' || checks.name || '” is attested.'
            when checks.code_attested
                then
                    checks.scheme || ' code ' || checks.code || ' is printed as “' || checks.name
                    || '”; the reference list names it “' || checks.attested_names || '”.'
            when checks.name_attested_for is not null
                then
                    checks.scheme || ' code ' || checks.code || ' “' || checks.name || '” is not attested, and “'
                    || checks.name
                    || '” is attested as code '
                    || checks.name_attested_for
                    || ': the code may be misprinted.'
            else
                checks.scheme || ' code ' || checks.code || ' “' || checks.name
                || '” is not in the partial reference list (not attested is not invalid).'
        end as message,
        first_printed.table_id as source_table,
        first_printed.source_line
    from checks
    left join first_printed
        on
            checks.document_id = first_printed.document_id
            and checks.code = first_printed.code
            and checks.scheme = 'function'

)

select * from final
