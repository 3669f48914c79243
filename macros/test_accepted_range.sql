{#-
    Generic test: a column lies within [min_value, max_value] (either bound optional).
    Nulls are ignored (use not_null for them).

    Arguments:
        min_value (number, optional): lowest allowed value.
        max_value (number, optional): highest allowed value.
        inclusive (bool, default true): whether the bounds themselves are allowed.
-#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}

select *
from {{ model }}
where {{ column_name }} is not null
  and (
      false
      {%- if min_value is not none %}
      or {{ column_name }} {{ '<' if inclusive else '<=' }} {{ min_value }}
      {%- endif %}
      {%- if max_value is not none %}
      or {{ column_name }} {{ '>' if inclusive else '>=' }} {{ max_value }}
      {%- endif %}
  )

{% endtest %}
