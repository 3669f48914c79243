-- Document-quality findings: one row per failed or not-evaluable check (rules R01–R10 of
-- docs/design.md §5, listed in seed dq_rules). Findings never block a build: the facts keep the
-- printed numbers and these rows say what disagrees, where, and by how much.

with

checks as (

    select * from {{ documents_to_build(ref('int_dq_checks')) }}

),

documents as (

    select * from {{ documents_to_build(ref('int_documents_resolved')) }}

),

final as (

    select
        checks.document_id,
        checks.rule_id,
        checks.severity,
        checks.status,
        checks.subject,
        checks.expected,
        checks.actual,
        checks.difference,
        checks.tolerance,
        checks.message,
        checks.source_table,
        checks.source_line,
        documents.department_id,
        documents.department_name as department_name_as_printed,
        documents.fiscal_year
    from checks
    left join documents
        on checks.document_id = documents.document_id
    where checks.status in ('fail', 'not_evaluable')

)

select * from final
