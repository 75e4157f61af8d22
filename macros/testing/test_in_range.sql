{#-
  Generic data test in_range(column_name, min_value=none, max_value=none): rows whose value lies
  outside [min_value, max_value] (NULLs pass; a bound left out is open). The one range test of the
  project: rates in [0, 1], scores in [0, 100], counts >= 0.
-#}
{% test in_range(model, column_name, min_value=none, max_value=none) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
  and (
    {%- if min_value is not none %} {{ column_name }} < {{ min_value }}{% else %} 1 = 0{% endif %}
    {%- if max_value is not none %} or {{ column_name }} > {{ max_value }}{% endif %}
  )
{% endtest %}
