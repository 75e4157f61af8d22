{#-
  Generic data test shop_distance_reaches_score(indicators, indicator_weights, dimension_weights,
  max_rows_per_day=500):
  every reachable row of shop_score_distance_daily is exact, re-scored by the 店铺体验分's own
  macro score_indicators with the peers fixed. For the needed value and one step less
  (10^-value_precision towards worse) a scenario of its own holds every shop of the shop's main
  category on that day (`indicators`: int_experience_shop_indicators) with this shop's indicator
  replaced; score_indicators scores it with the seeds (`indicator_weights`,
  `dimension_weights`: shop_indicator_weights, shop_dimension_weights) and the five-point score
  (total / 20, half-up to 2 decimals) must reach target_score for the needed value and must not
  one step less. Failing rows: the probes that do otherwise, and one row when a probe could not
  be judged. Each probe scores its whole category, so a day with more than max_rows_per_day
  reachable rows is judged on an even stride of them (by shop_id, indicator). The sampling, the
  probes and the verdict are macro distance_probes'; the scorer is below.
-#}
{% test shop_distance_reaches_score(model, indicators, indicator_weights, dimension_weights,
                                    max_rows_per_day=500) %}
{%- set text = kscore.type_name('varchar') -%}
{%- set scorer -%}
scenario_rows as (
    select
        i.as_of_date,
        p.scenario || '|' || cast(i.shop_id as {{ text }}) as probe_entity,
        p.scenario,
        i.main_category_id,
        i.is_scored,
        i.indicator,
        case when i.shop_id = p.shop_id and i.indicator = p.indicator then p.probe_value
             else i.value end as value,
        i.numerator,
        i.denominator
    from probes as p
    inner join {{ indicators }} as i
        on i.as_of_date = p.as_of_date and i.main_category_id = p.main_category_id
),

probe_indicator_weights as (
    select * from {{ indicator_weights }}
),

probe_dimension_weights as (
    select main_category_id as weight_key, dimension, weight from {{ dimension_weights }}
),

{{ kscore.score_indicators('scenario_rows', 'probe_indicator_weights', 'probe_dimension_weights',
                           entity='probe_entity', peer_group='scenario',
                           weight_key='main_category_id') }}

judged as (
    select
        p.*,
        {{ kscore.round_half_up('s.total_score_100 / 20', 2) }} as probe_score
    from probes as p
    inner join (select distinct as_of_date, probe_entity, total_score_100
                from scored_indicators) as s
        on s.as_of_date = p.as_of_date
       and s.probe_entity = p.scenario || '|' || cast(p.shop_id as {{ text }})
)
{%- endset %}
{{ kscore.distance_probes(
    model, 'shop_id',
    probe_columns=['t.main_category_id', 't.target_score',
                   'cast(t.shop_id as ' ~ text ~ ") || '|' || t.indicator || '|' || k.probe"
                   ~ ' as scenario'],
    scorer=scorer, score='probe_score', target='target_score',
    max_rows_per_day=max_rows_per_day) }}
{% endtest %}
