{#-
    Generic test for document-quality checks (int_dq_checks, the union of every rule model): every
    check row names its document, rule, subject and message, and has a known status. One test
    node for all rules instead of one per rule model and column (each dbt node costs a rebuild
    tens of milliseconds).
-#}
{% test dq_checks_well_formed(model) %}

    select *
    from {{ model }}
    where
        document_id is null
        or rule_id is null
        or subject is null
        or message is null
        or status is null
        or status not in ('pass', 'fail', 'not_evaluable')

{% endtest %}
