{{ config(materialized='table') }}
{#-
  价格力 / 内容GPM / 综合好评率 scores and levels per as_of_date × product
  (spec 09 §3, 02's method per dimension, the shared macros peer_percentile and
  weighted_mean). A product is ranked in the subtree of each of its category
  ancestors (levels 3, 2, 1) and keeps the figures of the level 02 chose for it
  (peer_category_level): it is compared with every product of that subtree that
  is ranked in the dimension, whatever group those chose for themselves.
    p      tie-safe peer percentile of each non-NULL indicator (direction from
           seed extra_dimension_weights), among the ranked products
    score  100 × Σ wᵢ pᵢ / Σ wᵢ over the non-NULL indicators (6 decimals)
    q      peer percentile of the score among the same ranked products
    level  the extra_dimension_levels row of the dimension with the greatest
           min_percentile <= q; an unranked product gets a NULL score and
           02's unranked_level_rank (及格).
-#}
{%- set indicators = [
    {'indicator': 'price_vs_list', 'dimension': 'price', 'precision': 6},
    {'indicator': 'price_vs_history', 'dimension': 'price', 'precision': 6},
    {'indicator': 'live_gpm', 'dimension': 'gpm', 'precision': 2},
    {'indicator': 'video_gpm', 'dimension': 'gpm', 'precision': 2},
    {'indicator': 'good_review_rate', 'dimension': 'good_review', 'precision': 6},
] -%}
{%- set dimensions = ['price', 'gpm', 'good_review'] -%}

with indicators as (
    select * from {{ ref('int_product_extra_indicators') }}
),

weights as (
    select * from {{ ref('extra_dimension_weights') }}
),

levels as (
    select * from {{ ref('extra_dimension_levels') }}
),

tier_params as (
    {{ seed_params('product_tier_params', [
        ('unranked_level_rank', 'unranked_level_rank', 'integer'),
    ]) }}
),

{#- one row per as_of_date x product x ancestor level with the values to rank, rounded before ranking;
    NULL where the product is not ranked in that dimension -#}
peer_rows as (
    {%- for level in [3, 2, 1] %}
    select
        i.as_of_date,
        i.product_id,
        {{ level }} as peer_level,
        i.category_l{{ level }}_id as peer_category_id,
        {%- for ind in indicators %}
        case when i.is_{{ ind.dimension }}_ranked
             then round(cast(i.{{ ind.indicator }} as double), {{ ind.precision }}) end
            as {{ ind.indicator }}{{ ',' if not loop.last }}
        {%- endfor %}
    from indicators as i
    where i.category_l{{ level }}_id is not null
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

indicator_percentiles as (
    {%- for ind in indicators %}
    select
        pr.as_of_date,
        pr.product_id,
        pr.peer_level,
        pr.peer_category_id,
        w.dimension,
        w.weight,
        {{ peer_percentile('case when w.higher_is_better then pr.' ~ ind.indicator
                           ~ ' else -pr.' ~ ind.indicator ~ ' end',
                           ['pr.as_of_date', 'pr.peer_level', 'pr.peer_category_id'], true) }}
            as percentile
    from peer_rows as pr
    inner join weights as w on w.indicator = {{ kscore.sql_string(ind.indicator) }}
    where pr.{{ ind.indicator }} is not null
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

dimension_scores as (
    select
        ip.as_of_date,
        ip.product_id,
        ip.peer_level,
        ip.peer_category_id,
        {%- for d in dimensions %}
        {{ weighted_mean("case when ip.dimension = " ~ kscore.sql_string(d)
                         ~ " then 100 * ip.percentile end", 'ip.weight') }}
            as {{ d }}_score{{ ',' if not loop.last }}
        {%- endfor %}
    from indicator_percentiles as ip
    group by ip.as_of_date, ip.product_id, ip.peer_level, ip.peer_category_id
),

score_percentiles as (
    select
        s.*,
        {%- for d in dimensions %}
        round({{ peer_percentile('s.' ~ d ~ '_score',
                                 ['s.as_of_date', 's.peer_level', 's.peer_category_id'], true) }}, 6)
            as {{ d }}_percentile{{ ',' if not loop.last }}
        {%- endfor %}
    from dimension_scores as s
),

chosen_scores as (
    select
        sp.as_of_date,
        sp.product_id,
        {%- for d in dimensions %}
        sp.{{ d }}_score,
        sp.{{ d }}_percentile,
        (select max(l.level_rank) from levels as l
         where l.dimension = {{ kscore.sql_string(d) }}
           and l.min_percentile <= sp.{{ d }}_percentile)
            as {{ d }}_percentile_rank{{ ',' if not loop.last }}
        {%- endfor %}
    from score_percentiles as sp
    inner join indicators as i
        on i.as_of_date = sp.as_of_date
       and i.product_id = sp.product_id
       and i.peer_category_level = sp.peer_level
),

ranked as (
    select
        i.as_of_date,
        i.product_id,
        {%- for d in dimensions %}
        case when i.is_{{ d }}_ranked then cs.{{ d }}_score end as {{ d }}_score,
        case when i.is_{{ d }}_ranked then cs.{{ d }}_percentile end as {{ d }}_percentile,
        cast(case when i.is_{{ d }}_ranked and cs.{{ d }}_score is not null
                  then cs.{{ d }}_percentile_rank
                  else p.unranked_level_rank end as integer)
            as {{ d }}_rank{{ ',' if not loop.last }}
        {%- endfor %}
    from indicators as i
    cross join tier_params as p
    left join chosen_scores as cs on cs.as_of_date = i.as_of_date and cs.product_id = i.product_id
),

final as (
    select
        r.*,
        {%- for d in dimensions %}
        l_{{ d }}.level as {{ d }}_level{{ ',' if not loop.last }}
        {%- endfor %}
    from ranked as r
    {%- for d in dimensions %}
    left join levels as l_{{ d }}
        on l_{{ d }}.dimension = {{ kscore.sql_string(d) }}
       and l_{{ d }}.level_rank = r.{{ d }}_rank
    {%- endfor %}
)

select * from final
