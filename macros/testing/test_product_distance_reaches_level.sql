{#-
  Generic data test product_distance_reaches_level(peers, scores, levels, max_rows_per_day=2000):
  every reachable row of product_indicator_distance_daily is exact, re-scored by the tier scores' own macros with the
  peers fixed. For the needed value and for one step less (10^-value_precision towards worse):
  the product's value replaced among its subtree's other members (peers:
  int_distance_product_peers, its subtree from scores: int_product_tier_scores) is ranked with
  peer_percentile, the dimension score re-weighted with weighted_mean over its other indicators'
  percentiles, that score ranked with peer_percentile (rounded to 6 decimals) among the other
  members' scores, and the level read from `levels` (dimension_levels). The needed value must
  reach target_rank, one step less must not. Failing rows: the probes that do otherwise, and one
  row when a probe could not be judged. Each probe ranks among its whole subtree, so a day with
  more than max_rows_per_day reachable rows is judged on an even stride of them (by product_id,
  indicator): every row on the tiny zone, about 2,000 a day on larger ones. The sampling, the
  probes and the verdict are macro distance_probes'; the scorer is below.
-#}
{% test product_distance_reaches_level(model, peers, scores, levels, max_rows_per_day=2000) %}
{%- set probe = ['s.as_of_date', 's.product_id', 's.indicator', 's.probe'] -%}
{%- set scorer -%}
value_rows as (
    select s.*, m.product_id as member_id, m.value
    from probes as s
    inner join {{ peers }} as m
        on m.as_of_date = s.as_of_date and m.peer_level = s.peer_level
       and m.peer_category_id = s.peer_category_id and m.indicator = s.indicator
       and m.product_id <> s.product_id
    union all
    select s.*, s.product_id, s.probe_value from probes as s
),

value_percentiles as (
    select
        s.as_of_date, s.product_id, s.indicator, s.probe, s.member_id,
        {{ peer_percentile('case when s.higher_is_better then s.value else -s.value end',
                           probe, true) }} as percentile
    from value_rows as s
),

score_rows as (
    select s.as_of_date, s.product_id, s.indicator, s.probe, m.weight, m.percentile
    from probes as s
    inner join {{ peers }} as m
        on m.as_of_date = s.as_of_date and m.peer_level = s.peer_level
       and m.peer_category_id = s.peer_category_id and m.dimension = s.dimension
       and m.product_id = s.product_id and m.indicator <> s.indicator
    union all
    select s.as_of_date, s.product_id, s.indicator, s.probe, w.weight, vp.percentile
    from probes as s
    inner join value_percentiles as vp
        on vp.as_of_date = s.as_of_date and vp.product_id = s.product_id
       and vp.indicator = s.indicator and vp.probe = s.probe and vp.member_id = s.product_id
    inner join (select distinct indicator, weight from {{ peers }}) as w
        on w.indicator = s.indicator
),

probe_scores as (
    select as_of_date, product_id, indicator, probe,
           {{ weighted_mean('100 * percentile', 'weight') }} as dimension_score
    from score_rows
    group by as_of_date, product_id, indicator, probe
),

level_rows as (
    select s.*, m.product_id as member_id, m.dimension_score
    from probes as s
    inner join (select distinct as_of_date, peer_level, peer_category_id, product_id, dimension,
                       dimension_score from {{ peers }}) as m
        on m.as_of_date = s.as_of_date and m.peer_level = s.peer_level
       and m.peer_category_id = s.peer_category_id and m.dimension = s.dimension
       and m.product_id <> s.product_id
    union all
    select s.*, s.product_id, ps.dimension_score
    from probes as s
    inner join probe_scores as ps
        on ps.as_of_date = s.as_of_date and ps.product_id = s.product_id
       and ps.indicator = s.indicator and ps.probe = s.probe
),

probe_levels as (
    select
        s.*,
        round({{ peer_percentile('s.dimension_score', probe, true) }}, 6) as score_percentile
    from level_rows as s
),

judged as (
    select
        s.*,
        (select max(l.level_rank) from {{ levels }} as l
         where l.min_percentile <= s.score_percentile) as probe_rank
    from probe_levels as s
    where s.member_id = s.product_id
)
{%- endset %}
{{ kscore.distance_probes(
    model, 'product_id',
    probe_columns=['t.dimension', 't.higher_is_better', 't.target_rank',
                   'sc.peer_category_level as peer_level', 'sc.peer_category_id'],
    probe_joins='inner join ' ~ scores ~ ' as sc'
        ~ ' on sc.as_of_date = t.as_of_date and sc.product_id = t.product_id',
    scorer=scorer, score='probe_rank', target='target_rank',
    max_rows_per_day=max_rows_per_day) }}
{% endtest %}
