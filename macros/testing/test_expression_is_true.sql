{#-
  Generic data test expression_is_true(model, expression): the rows for which
  the SQL boolean `expression` is not TRUE (NULL counts as a failure, so write
  `x is null or ...` where NULL is allowed). Used for ranges and identities
  between columns of a row.
-#}
{% test expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
where not coalesce(({{ expression }}), false)
{% endtest %}
