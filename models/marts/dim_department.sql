-- One row per reporting department (seed departments).

with

departments as (

    select * from {{ ref('departments') }}

),

final as (

    select
        cast(department_id as varchar) as department_id,
        department_name,
        city_name_zh,
        city_name_en,
        province_zh,
        cast(admin_division_code as varchar) as admin_division_code,
        department_kind
    from departments

)

select * from final
