-- Document-quality findings: one row per failed or not-evaluable check (rules R01–R10 of
-- DESIGN.md §5, listed in seed dq_rules). Findings never block a build. The rules are not
-- implemented yet: int_dq_findings is an empty placeholder with the contract columns.

with

findings as (

    select * from {{ ref('int_dq_findings') }}

),

final as (

    select
        document_id,
        rule_id,
        severity,
        status,
        subject,
        cast(expected as decimal(38, 6)) as expected,
        cast(actual as decimal(38, 6)) as actual,
        cast(difference as decimal(38, 6)) as difference,
        cast(tolerance as decimal(38, 6)) as tolerance,
        message
    from findings

)

select * from final
