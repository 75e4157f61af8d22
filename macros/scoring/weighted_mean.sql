{#-
  weighted_mean(value, weight, precision=6)

  The one implementation of the "indicator -> score -> total" arithmetic used by
  every score in the warehouse (spec 02 step 2, spec 03 steps 2-3, spec 04):
      Σ wᵢ · vᵢ / Σ wᵢ   over the rows whose value vᵢ is not NULL.
  It is an AGGREGATE expression: unpivot the indicators to long form
  (one row per entity x indicator, with its score and weight), then
  `group by` the entity (and dimension) and select
  `{{ weighted_mean('indicator_score', 'weight') }}`.
  NULL when every value is NULL (or every weight of a non-NULL value is 0).
  The result is rounded half-up to `precision` decimals on the decimal value
  (round_half_up; spec: round before ranking, same result on another engine).
-#}
{% macro weighted_mean(value, weight, precision=6) -%}
    {{ round_half_up(
        'sum(case when (' ~ value ~ ') is not null then (' ~ weight ~ ') * (' ~ value ~ ') end)
        / nullif(sum(case when (' ~ value ~ ') is not null then (' ~ weight ~ ') end), 0)',
        precision) }}
{%- endmacro %}
