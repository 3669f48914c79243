with

source as (

    select * from {{ source('landed', 'coverage') }}

),

renamed as (

    select
        ---------- ids
        {{ trim_to_null('document_id') }} as document_id,
        {{ trim_to_null('table_id') }} as table_id,
        {{ trim_to_null('family') }} as family,

        ---------- numerics
        cast(numeric_cells_printed as integer) as numeric_cells_printed,
        cast(numeric_cells_landed as integer) as numeric_cells_landed,
        cast(numeric_cells_landed_twice as integer) as numeric_cells_landed_twice,

        ---------- status
        {{ trim_to_null('status') }} as status,
        {{ trim_to_null('reason') }} as reason

    from source

)

select * from renamed
