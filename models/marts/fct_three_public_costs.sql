-- 三公经费: one row per document × category for every document that prints a 三公 table
-- (4 rows: outbound_travel 因公出国（境）费, official_reception 公务接待费, vehicle_purchase
-- 公务用车购置费, vehicle_operation 公务用车运行（维护）费). A category left blank in a table
-- that was read is 0 (`is_printed` = false); where the table was not read (no amount of it is
-- typed: empty, final accounts not read yet, no unit, unreadable columns) every category is
-- null, never 0. The printed 三公 total and vehicle subtotal stay in
-- int_three_public_rows_classified for rule R08. A 决算 table printing 预算数 beside 决算数 gives
-- the four rows for each basis it prints (amount_basis budget / adjusted_budget / final); a table
-- that was not read gives them for the document's own basis (a budget's budget, a 决算's final).

with

tables as (

    select * from {{ documents_to_build(ref('stg_landed__tables')) }}
    where family = 'three_public'

),

cells as (

    select * from {{ documents_to_build(ref('int_three_public_rows_classified')) }}
    where disposition = 'fact'

),

-- the tables some amount of which was typed
read_tables as (

    select distinct
        document_id,
        table_id
    from {{ documents_to_build(ref('int_three_public_rows_classified')) }}

),

documents as (

    select * from {{ documents_to_build(ref('int_documents_resolved')) }}

),

-- the first 三公 table of each document, printed or empty
first_tables as (

    select
        document_id,
        arg_min(table_id, table_index) as table_id
    from tables
    group by document_id

),

-- the bases each first table prints (read tables), else the document's own
table_bases as (

    select distinct
        document_id,
        table_id,
        amount_basis
    from cells

),

bases as (

    select
        first_tables.document_id,
        first_tables.table_id,
        coalesce(
            table_bases.amount_basis,
            case documents.disclosure_kind when 'final_accounts' then 'final' else 'budget' end
        ) as amount_basis
    from first_tables
    left join table_bases
        on
            first_tables.document_id = table_bases.document_id
            and first_tables.table_id = table_bases.table_id
    left join documents
        on first_tables.document_id = documents.document_id

),

categories as (

    select unnest([
        'outbound_travel', 'official_reception', 'vehicle_purchase', 'vehicle_operation'
    ]) as category

),

printed as (

    select
        document_id,
        table_id,
        category,
        amount_basis,
        sum(amount) as amount,
        min(source_line) as source_line,
        arg_min(source_page, source_line) as source_page,
        mode(label_as_printed) as label_as_printed
    from cells
    group by document_id, table_id, category, amount_basis

),

final as (

    select
        ---------- grain
        first_tables.document_id,
        documents.department_id,
        documents.fiscal_year,
        categories.category,
        bases.amount_basis,

        ---------- amount (万元); blank in a table that was read = 0; not read = null
        cast(
            case
                when printed.amount is not null then printed.amount
                when read_tables.table_id is not null then 0
            end as decimal(38, 6)
        ) as amount,
        printed.amount is not null as is_printed,
        printed.label_as_printed,

        ---------- provenance
        first_tables.table_id as source_table,
        printed.source_line,
        printed.source_page
    from first_tables
    inner join bases
        on first_tables.document_id = bases.document_id
    cross join categories
    left join printed
        on
            first_tables.document_id = printed.document_id
            and first_tables.table_id = printed.table_id
            and categories.category = printed.category
            and bases.amount_basis = printed.amount_basis
    left join read_tables
        on
            first_tables.document_id = read_tables.document_id
            and first_tables.table_id = read_tables.table_id
    left join documents
        on first_tables.document_id = documents.document_id

)

select * from final
