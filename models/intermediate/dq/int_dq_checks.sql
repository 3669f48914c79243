-- Every document-quality check evaluated (rules R01–R10 of docs/design.md §5): one row per check,
-- passed, failed or not evaluable, with the rule's severity from seed dq_rules. A check that
-- fails on a table the loader did not read completely (coverage `incomplete`: some of its
-- numbers are in cells only) is not evaluable: its sums would be of a part of the table.
-- fct_dq_findings keeps the failed and not-evaluable ones. The rule models are views; this table
-- is incremental by document, so a rebuild computes only the new documents' checks.

{% set rule_models = [
    'int_dq__r01_function_hierarchy',
    'int_dq__r01_economic_hierarchy',
    'int_dq__r01_summary_expenditure',
    'int_dq__r01_revenue_hierarchy',
    'int_dq__r01_project_lists',
    'int_dq__r02_row_identities',
    'int_dq__r03_cross_table',
    'int_dq__r04_balanced_budget',
    'int_dq__r05_code_prefix',
    'int_dq__r06_same_name_same_code',
    'int_dq__r07_attested_codes',
    'int_dq__r08_three_public_costs',
    'int_dq__r09_listed_tables_present',
    'int_dq__r10_project_list_total',
] %}

{% set new_documents = new_document_ids() %}

with

rules as (

    select * from {{ ref('dq_rules') }}

),

partly_read as (

    select
        document_id,
        table_id,
        numeric_cells_landed,
        numeric_cells_printed
    from {{ ref('stg_landed__coverage') }}
    where status = 'incomplete'

),

checks as (

    {% for rule_model in rule_models %}
    select
        document_id,
        rule_id,
        status,
        subject,
        cast(expected as decimal(38, 6)) as expected,
        cast(actual as decimal(38, 6)) as actual,
        cast(difference as decimal(38, 6)) as difference,
        cast(tolerance as decimal(38, 6)) as tolerance,
        message,
        source_table,
        source_line,
        '{{ rule_model }}' as rule_model
    from {{ ref(rule_model) }}
    {% if is_incremental() %}
    where document_id in ({{ new_documents }})
    {% endif %}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        checks.document_id,
        checks.rule_id,
        rules.severity,
        case
            when checks.status = 'fail' and partly_read.table_id is not null then 'not_evaluable'
            else checks.status
        end as status,
        checks.subject,
        checks.expected,
        checks.actual,
        checks.difference,
        checks.tolerance,
        case
            when checks.status = 'fail' and partly_read.table_id is not null
                then
                    'not fully read (' || partly_read.numeric_cells_landed || ' of '
                    || partly_read.numeric_cells_printed || ' numbers typed): ' || checks.message
            else checks.message
        end as message,
        checks.source_table,
        checks.source_line,
        checks.rule_model
    from checks
    left join rules
        on checks.rule_id = rules.rule_id
    left join partly_read
        on
            checks.document_id = partly_read.document_id
            and checks.source_table = partly_read.table_id

)

select * from final
