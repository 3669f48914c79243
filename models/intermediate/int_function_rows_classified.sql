-- Printed rows of the expenditure-by-function tables with their place in the hierarchy:
-- class/section codes taken from the code itself, the parent as printed (the nearest preceding
-- higher-level row), whether the row is a leaf (no printed child follows it), and its
-- disposition: `fact` rows feed fct_expenditure_by_function; `subtotal` rows (合计, unit rows,
-- 类/款 rows with printed children) and rows of a repeated table for the same scope are kept
-- here so that document-quality rules can compare them.

with

pivoted as (

    select * from {{ documents_to_build(ref('int_function_rows_pivoted')) }}

),

tables as (

    select * from {{ documents_to_build(ref('stg_landed__tables')) }}

),

-- depth of each row role: a row is a leaf when the next printed row is not deeper
with_depth as (

    select
        pivoted.*,
        tables.table_index,
        case pivoted.row_role
            when 'total' then 0
            when 'unit' then 1
            when 'class' then 2
            when 'section' then 3
            when 'item' then 4
        end as row_depth,
        -- the first table of a document for a scope is the one facts come from (a table of
        -- basic expenditure by function only where the scope has no full table)
        dense_rank() over (
            partition by pivoted.document_id, pivoted.budget_scope
            order by tables.family = 'basic_by_function', tables.table_index, pivoted.table_id
        ) as scope_table_rank
    from pivoted
    left join tables
        on
            pivoted.document_id = tables.document_id
            and pivoted.table_id = tables.table_id

),

with_neighbours as (

    select
        *,
        lead(row_depth) over (
            partition by document_id, table_id order by source_line
        ) as next_row_depth,
        -- running count of class/unit/total rows: delimits the block a section belongs to
        count(*) filter (where row_depth <= 2) over (
            partition by document_id, table_id
            order by source_line
            rows between unbounded preceding and current row
        ) as class_block
    from with_depth

),

with_printed_parent as (

    select
        *,
        last_value(case when row_role = 'class' then function_code end ignore nulls) over (
            partition by document_id, table_id
            order by source_line
            rows between unbounded preceding and 1 preceding
        ) as preceding_class_code,
        last_value(case when row_role = 'section' then function_code end ignore nulls) over (
            partition by document_id, table_id, class_block
            order by source_line
            rows between unbounded preceding and 1 preceding
        ) as preceding_section_code
    from with_neighbours

),

final as (

    select
        ---------- ids and provenance
        document_id,
        table_id,
        table_index,
        source_line,
        source_page,
        budget_scope,
        row_role,
        unit_code,
        function_code,
        code_as_printed,
        function_name,

        ---------- hierarchy from the code
        case when length(function_code) >= 3 then left(function_code, 3) end as class_code,
        case when length(function_code) >= 5 then left(function_code, 5) end as section_code,
        case length(function_code)
            when 3 then 'class'
            when 5 then 'section'
            when 7 then 'item'
        end as code_level,

        ---------- hierarchy as printed
        case
            when row_role = 'section' then preceding_class_code
            when row_role = 'item' then coalesce(preceding_section_code, preceding_class_code)
        end as printed_parent_code,
        row_role in ('class', 'section', 'item')
        and (next_row_depth is null or next_row_depth <= row_depth) as is_leaf,

        ---------- disposition
        case
            when row_role not in ('class', 'section', 'item') then 'subtotal'
            when not (next_row_depth is null or next_row_depth <= row_depth) then 'subtotal'
            when scope_table_rank > 1 then 'repeated_scope_table'
            else 'fact'
        end as disposition,

        scope_table_rank = 1 as is_first_scope_table,

        ---------- amounts
        total_amount,
        basic_amount,
        personnel_amount,
        public_amount,
        project_amount,
        columns('^measure_'),
        measures_printed,
        n_cells
    from with_printed_parent

)

select * from final
