{#-
    Generic test for a document-quality rule model: the rows that fail the rule. Configure it
    with severity `warn` (DESIGN.md §5: document-quality rules never block a build), so each
    rule shows in `dbt build` as a warning with its number of failing checks.
-#}
{% test dq_rule_passes(model) %}

    select *
    from {{ model }}
    where status = 'fail'

{% endtest %}
