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
  reachable rows is judged on an even stride of them (by shop_id, indicator).
-#}
{% test shop_distance_reaches_score(model, indicators, indicator_weights, dimension_weights,
                                    max_rows_per_day=500) %}
{%- set text = kscore.type_name('varchar') -%}
with tested as (
    select * from {{ model }}
),

{#- every reachable row of a day with at most max_rows_per_day of them, else an even stride -#}
sampled as (
    select *
    from (
        select
            t.*,
            row_number() over (partition by t.as_of_date order by t.shop_id, t.indicator)
                as probe_number,
            count(*) over (partition by t.as_of_date) as day_rows
        from tested as t
        where t.distance_reason = 'reachable'
    ) as r
    where mod(probe_number - 1, cast(ceil(day_rows / {{ max_rows_per_day }}.0) as bigint)) = 0
),

probes as (
    select
        t.as_of_date, t.shop_id, t.main_category_id, t.indicator, t.target_score, k.probe,
        case k.probe when 'needed' then t.needed_value
             else t.needed_value - (case when t.higher_is_better then 1 else -1 end)
                  * power(10, -t.value_precision) end as probe_value,
        cast(t.shop_id as {{ text }}) || '|' || t.indicator || '|' || k.probe as scenario
    from sampled as t
    cross join (select 'needed' as probe union all select 'one_less') as k
),

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

{#- every probe is judged: a scenario that lost its shop would pass vacuously -#}
select as_of_date, shop_id, indicator, probe
from judged
where not coalesce(case probe when 'needed' then probe_score >= target_score
                               else probe_score < target_score end, false)
union all
select null, null, 'probes not judged', null
from (select count(*) as probes from probes) as p
cross join (select count(*) as judged from judged) as j
where p.probes <> j.judged
{% endtest %}
