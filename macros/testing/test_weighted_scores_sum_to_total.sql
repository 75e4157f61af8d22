{#-
  Generic data test weighted_scores_sum_to_total(model, indicators, keys, total_column, tolerance=0.01):
  for every row of `model` (the wide score mart) the Σ weighted_score of its rows
  in the long `indicators` model (joined on `keys`) equals `total_column` within
  `tolerance` (spec 03/04: the long table adds up to the 100-point score).
  Returns the rows that disagree; a NULL total must have a NULL sum.
-#}
{% test weighted_scores_sum_to_total(model, indicators, keys, total_column, tolerance=0.01) %}
with sums as (
    select {{ keys | join(', ') }}, sum(weighted_score) as weighted_score_sum
    from {{ indicators }}
    group by {{ keys | join(', ') }}
)

select m.{{ keys | join(', m.') }}, m.{{ total_column }}, s.weighted_score_sum
from {{ model }} as m
left join sums as s
    on {% for k in keys %}s.{{ k }} = m.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
where (m.{{ total_column }} is null) <> (s.weighted_score_sum is null)
   or abs(m.{{ total_column }} - s.weighted_score_sum) > {{ tolerance }}
{% endtest %}
