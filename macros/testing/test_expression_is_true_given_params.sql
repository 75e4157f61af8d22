{#-
  Generic data test expression_is_true_given_params(model, expression, seed,
  params): expression_is_true where the expression compares with a rule's
  parameters instead of literals: the seed's parameters are pivoted by
  seed_params(seed, params) (params: a list of [param, column]) into the
  one-row relation `p`, so the expression reads them as p.<column>. The
  failing rows are those for which the expression is not TRUE (NULL fails).
-#}
{% test expression_is_true_given_params(model, expression, seed, params) %}
with p as (
    {{ kscore.seed_params(seed, params) }}
)

select m.*
from (select * from {{ model }}) as m
cross join p
where not coalesce(({{ expression }}), false)
{% endtest %}
