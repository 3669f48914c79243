-- R06: an item (its printed name, normalised) carries the same code in every table of a document,
-- at each level: function codes in the expenditure, revenue and project tables; department and
-- government economic codes in the economic tables. One check per (document, scheme, level,
-- name); it fails when the name is printed with more than one code. A name that one table
-- itself prints with several codes names several items (一般行政管理事务 under each 款): it is
-- no item of its own, and passes.

with

named_codes as (

    select
        document_id,
        table_id,
        source_line,
        'function' as scheme,
        function_code as code,
        function_name as name
    from {{ ref('stg_landed__function_rows') }}
    where function_code is not null and function_name is not null
    union all
    select
        document_id,
        table_id,
        source_line,
        'function' as scheme,
        function_code,
        row_label
    from {{ ref('stg_landed__revenue_rows') }}
    where function_code is not null and row_label is not null
    union all
    select
        document_id,
        table_id,
        source_line,
        'department economic' as scheme,
        dept_economic_code,
        dept_economic_name
    from {{ ref('stg_landed__economic_rows') }}
    where dept_economic_code is not null and dept_economic_name is not null and row_role in ('class', 'item')
    union all
    select
        document_id,
        table_id,
        source_line,
        'government economic' as scheme,
        gov_economic_code,
        gov_economic_name
    from {{ ref('stg_landed__economic_rows') }}
    where gov_economic_code is not null and gov_economic_name is not null

),

tables as (

    select * from {{ ref('stg_landed__tables') }}

),

printed as (

    select distinct
        named_codes.document_id,
        named_codes.scheme,
        length(named_codes.code) as code_length,
        {{ normalise_name('named_codes.name') }} as name_key,
        named_codes.name,
        named_codes.code,
        named_codes.table_id,
        named_codes.source_line,
        tables.title_as_printed
    from named_codes
    inner join tables
        on named_codes.table_id = tables.table_id

),

-- names one table prints with more than one code: generic names of several items
names_per_table as (

    select
        document_id,
        scheme,
        code_length,
        name_key,
        table_id,
        count(distinct code) as n_codes_in_table
    from printed
    group by all

),

generic_names as (

    select distinct
        document_id,
        scheme,
        code_length,
        name_key
    from names_per_table
    where n_codes_in_table > 1

),

checks as (

    select
        document_id,
        scheme,
        code_length,
        name_key,
        min(name) as name,
        count(distinct code) as n_codes,
        string_agg(distinct code, ', ' order by code) as codes,
        string_agg(
            code || ' in 《' || title_as_printed || '》 line ' || source_line, '; '
            order by code, source_line
        ) as where_printed,
        min(table_id) as table_id,
        min(source_line) as source_line
    from printed
    group by all

),

final as (

    select
        checks.document_id,
        'R06' as rule_id,
        case when checks.n_codes > 1 and generic_names.name_key is null then 'fail' else 'pass' end
            as status,
        checks.scheme || ' code of ' || checks.name as subject,
        cast(null as decimal(20, 6)) as expected,
        cast(null as decimal(20, 6)) as actual,
        cast(null as decimal(20, 6)) as difference,
        cast(null as decimal(20, 6)) as tolerance,
        case
            when checks.n_codes > 1 and generic_names.name_key is not null
                then
                    '“' || checks.name || '” names several items (one table prints it with '
                    || 'several codes: ' || checks.codes || ').'
            when checks.n_codes > 1
                then
                    '“' || checks.name || '” is printed with ' || checks.n_codes || ' different '
                    || checks.scheme || ' codes (' || checks.codes || '): ' || checks.where_printed || '.'
            else
                '“' || checks.name || '” is printed with ' || checks.scheme || ' code ' || checks.codes
                || ' everywhere.'
        end as message,
        checks.table_id as source_table,
        checks.source_line
    from checks
    left join generic_names
        on
            checks.document_id = generic_names.document_id
            and checks.scheme = generic_names.scheme
            and checks.code_length = generic_names.code_length
            and checks.name_key = generic_names.name_key

)

select * from final
