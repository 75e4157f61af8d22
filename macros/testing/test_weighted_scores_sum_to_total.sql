{#-
  Generic data test weighted_scores_sum_to_total(model, indicators, keys, total_column, tolerance=0.01):
  for every row of `model` (the wide score mart) the Σ weighted_score of its rows
  in the long `indicators` model (joined on `keys`) equals `total_column` within
  `tolerance` (spec 03/04: the long table adds up to the 100-point score).
  Returns the rows that disagree; a NULL total must have a NULL sum.
-#}
{% test weighted_scores_sum_to_total(model, indicators, keys, total_column, tolerance=0.01) %}
{#- `model` may be a filtered subquery (get_where_subquery: a history mart is judged on the build's
    as_of_dates); the long rows are read for the judged rows' keys only -#}
with judged as (
    select * from {{ model }}
),

sums as (
    select {% for k in keys %}i.{{ k }}, {% endfor %}sum(i.weighted_score) as weighted_score_sum
    from {{ indicators }} as i
    inner join judged as j
        on {% for k in keys %}i.{{ k }} = j.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
    group by {% for k in keys %}i.{{ k }}{{ ', ' if not loop.last }}{% endfor %}
)

select m.{{ keys | join(', m.') }}, m.{{ total_column }}, s.weighted_score_sum
from judged as m
left join sums as s
    on {% for k in keys %}s.{{ k }} = m.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
where (m.{{ total_column }} is null) <> (s.weighted_score_sum is null)
   or abs(m.{{ total_column }} - s.weighted_score_sum) > {{ tolerance }}
{% endtest %}
