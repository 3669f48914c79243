-- R06: an item (its printed name, normalised) carries the same code in every table of a document,
-- at each level: function codes in the expenditure, revenue and project tables; department and
-- government economic codes in the economic tables. One check per (document, scheme, level,
-- name); it fails when the name is printed with more than one code.

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
        document_id,
        'R06' as rule_id,
        case when n_codes > 1 then 'fail' else 'pass' end as status,
        scheme || ' code of ' || name as subject,
        cast(null as decimal(20, 6)) as expected,
        cast(null as decimal(20, 6)) as actual,
        cast(null as decimal(20, 6)) as difference,
        cast(null as decimal(20, 6)) as tolerance,
        case
            when n_codes > 1
                then
                    '“' || name || '” is printed with ' || n_codes || ' different ' || scheme
                    || ' codes (' || codes || '): ' || where_printed || '.'
            else '“' || name || '” is printed with ' || scheme || ' code ' || codes || ' everywhere.'
        end as message,
        table_id as source_table,
        source_line
    from checks

)

select * from final
