-- One row per reporting department: the departments of seed departments, plus any department a
-- loaded document names that the seeds do not know yet (`is_registered = false`, no city or
-- division code until a row is added to seeds/departments.csv and seeds/department_aliases.csv).

with

departments as (

    select * from {{ ref('departments') }}

),

documents as (

    select * from {{ ref('int_documents_resolved') }}

),

registered as (

    select
        cast(department_id as varchar) as department_id,
        department_name,
        city_name_zh,
        city_name_en,
        province_zh,
        cast(admin_division_code as varchar) as admin_division_code,
        department_kind,
        true as is_registered
    from departments

),

unregistered as (

    select
        department_id,
        min(department_name) as department_name,
        cast(null as varchar) as city_name_zh,
        cast(null as varchar) as city_name_en,
        cast(null as varchar) as province_zh,
        cast(null as varchar) as admin_division_code,
        cast(null as varchar) as department_kind,
        false as is_registered
    from documents
    where department_resolution != 'alias_matched'
    group by department_id

),

final as (

    select * from registered
    union all
    select * from unregistered

)

select * from final
