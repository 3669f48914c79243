-- One row per (scheme, code, name) attested by the reference code lists (seeds/reference):
-- the function classification (支出功能分类) and the department and government economic
-- classifications (部门/政府预算支出经济分类). A fuller official list dropped into seeds/reference
-- reaches every model that resolves or checks codes through this one.

with

function_codes as (

    select
        'function' as scheme,
        cast(code as varchar) as code,
        name
    from {{ ref('ref_function_classification') }}

),

department_codes as (

    select
        'department' as scheme,
        cast(code as varchar) as code,
        name
    from {{ ref('ref_dept_economic_classification') }}

),

government_codes as (

    select
        'government' as scheme,
        cast(code as varchar) as code,
        name
    from {{ ref('ref_gov_economic_classification') }}

),

final as (

    select * from function_codes
    union all
    select * from department_codes
    union all
    select * from government_codes

)

select * from final
