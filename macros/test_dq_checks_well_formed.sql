{#-
    Generic test for the document-quality checks (int_dq_checks, the union of every rule model):
    every check row names its document, rule, subject and message, has a known status (`unattested`
    only for R07: a code our partial reference list does not hold), and has
    the severity seed dq_rules gives its rule (none: a rule id the seed does not know). One test
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
        or status not in ('pass', 'fail', 'not_evaluable', 'unattested')
        or (status = 'unattested' and rule_id != 'R07')
        or severity is null
        or severity not in ('error', 'warning')

{% endtest %}
