-- Document-quality findings: one row per failed or not-evaluable check (rules R01–R10 of
-- docs/design.md §5, listed in seed dq_rules). Findings never block a build: the facts keep the
-- printed numbers and these rows say what disagrees, where, and by how much.

with

checks as (

    select * from {{ documents_to_build(ref('int_dq_checks')) }}

),

final as (

    select
        document_id,
        rule_id,
        severity,
        status,
        subject,
        expected,
        actual,
        difference,
        tolerance,
        message,
        source_table,
        source_line
    from checks
    where status in ('fail', 'not_evaluable')

)

select * from final
