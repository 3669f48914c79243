{#-
    Generic test: like dbt's `relationships`, but the parent side can be filtered, e.g. to one
    scheme of a dimension that holds several (dim_economic_classification). Child nulls pass.

    Arguments:
        to (relation): the parent model, e.g. ref('dim_economic_classification').
        field (string): the parent column the child column must be found in.
        to_where (string, optional): a SQL predicate on the parent rows, e.g. "scheme = 'department'".
-#}
{% test relationships_filtered(model, column_name, to, field, to_where=none) %}

with

child as (

    select {{ column_name }} as child_value
    from {{ model }}
    where {{ column_name }} is not null

),

parent as (

    select {{ field }} as parent_value
    from {{ to }}
    {%- if to_where %}
    where {{ to_where }}
    {%- endif %}

)

select child.child_value
from child
left join parent
    on child.child_value = parent.parent_value
where parent.parent_value is null

{% endtest %}
