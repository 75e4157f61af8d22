{#-
  Generic data test unique_combination(columns): no two rows share the
  combination of `columns` (a composite key).
-#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as copies
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
