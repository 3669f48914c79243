{#-
    Generic test: every row of the model satisfies a boolean SQL expression.
    Rows where the expression is false or null are returned as failures.

    Arguments:
        expression (string): a boolean SQL expression over the model's columns.
-#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}
