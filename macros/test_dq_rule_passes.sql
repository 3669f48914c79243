{#-
    Generic test for document-quality checks (int_dq_checks): one row per rule that has failing
    checks, with their number. Configure it with severity `warn` (docs/design.md §5: document-quality
    rules never block a build), so `dbt build` warns with the number of rules that found
    something; fct_dq_findings lists the checks.
-#}
{% test dq_rule_passes(model) %}

    select
        rule_id,
        count(*) as failing_checks
    from {{ model }}
    where status = 'fail'
    group by rule_id

{% endtest %}
