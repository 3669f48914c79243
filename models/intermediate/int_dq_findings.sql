-- Union of the document-quality findings (DESIGN.md §5, rules R01–R10), one row per failed or
-- not-evaluable check. The rule models are not written yet: `placeholder_no_rules_yet` keeps
-- the contract columns and types with zero rows until the rules are added to the union below.

with

placeholder_no_rules_yet as (

    select
        cast(null as varchar) as document_id,
        cast(null as varchar) as rule_id,
        cast(null as varchar) as severity,
        cast(null as varchar) as status,
        cast(null as varchar) as subject,
        cast(null as decimal(20, 6)) as expected,
        cast(null as decimal(20, 6)) as actual,
        cast(null as decimal(20, 6)) as difference,
        cast(null as decimal(20, 6)) as tolerance,
        cast(null as varchar) as message
    where false

),

unioned as (

    select * from placeholder_no_rules_yet

)

select * from unioned
