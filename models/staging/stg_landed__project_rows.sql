with

source as (

    select * from {{ source('landed', 'project_rows') }}

),

renamed as (

    select
        ---------- ids
        {{ trim_to_null('document_id') }} as document_id,
        {{ trim_to_null('table_id') }} as table_id,
        cast(source_line as integer) as source_line,
        cast(source_page as integer) as source_page,

        ---------- row
        cast(is_carryover as boolean) as is_carryover,
        {{ trim_to_null('budget_unit') }} as budget_unit,
        {{ trim_to_null('project_name') }} as project_name,
        {{ trim_to_null('project_category') }} as project_category,
        {{ trim_to_null('function_code') }} as function_code,
        {{ trim_to_null('function_name') }} as function_name,
        {{ trim_to_null('dept_economic_code') }} as dept_economic_code,
        {{ trim_to_null('gov_economic_code') }} as gov_economic_code,
        {{ trim_to_null('fund_nature') }} as fund_nature,
        {{ trim_to_null('row_role') }} as row_role,

        ---------- measure
        {{ trim_to_null('measure') }} as measure,
        {{ trim_to_null('measure_header') }} as measure_header,
        cast(amount as decimal(20, 6)) as amount,
        cast(amount_as_printed as varchar) as amount_as_printed

    from source

)

select * from renamed
