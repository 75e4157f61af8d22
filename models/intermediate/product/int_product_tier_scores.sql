{{ config(materialized='table') }}
{#-
  商品分层 heat / quality / service scores and levels per as_of_date × tiered
  product (spec 02 "Peer group" and "From indicators to levels").

  Peer group: the product's leaf category (level 3, or a level-2 leaf); when it
  has fewer than min_peer_group_size products with >= 1 paid order in W, one
  level up, until it reaches the size or level 1. Every product is ranked in
  the subtree of each of its ancestors (levels 3, 2, 1) and keeps the figures of
  the level it chose: a product is thus compared with every ranked product of
  its chosen subtree, whatever group those chose for themselves.

  Ranked in a dimension: heat needs >= 1 paid order; quality and service need
  not is_low_sample. An unranked product's indicator is NULL for ranking, so
  it is left out of its peers' N.
-#}
{%- set indicators = [
    ('effective_gmv', 'heat', true, 2),
    ('exposure_conversion', 'heat', true, 6),
    ('quality_refund_rate', 'quality', false, 6),
    ('negative_quality_review_rate', 'quality', false, 6),
    ('in_stock_ratio', 'service', true, 6),
    ('avg_ship_hours', 'service', false, 6),
    ('im_reply_3min_rate', 'service', true, 6),
    ('im_satisfaction_rate', 'service', true, 6),
    ('dispute_rate', 'service', false, 6),
    ('refund_self_complete_hours', 'service', false, 6),
] -%}

with indicators as (
    select * from {{ ref('int_product_tier_indicators') }}
),

weights as (
    select * from {{ ref('dimension_weights') }}
),

levels as (
    select * from {{ ref('dimension_levels') }}
),

params as (
    select
        max(case when param = 'min_peer_group_size' then value end) as min_peer_group_size,
        cast(max(case when param = 'heat_no_order_level_rank' then value end) as integer) as heat_no_order_level_rank,
        cast(max(case when param = 'unranked_level_rank' then value end) as integer) as unranked_level_rank
    from {{ ref('product_tier_params') }}
),

peer_candidates as (
    select as_of_date, product_id, 3 as peer_level, category_l3_id as peer_category_id from indicators
    where category_l3_id is not null
    union all
    select as_of_date, product_id, 2 as peer_level, category_l2_id as peer_category_id from indicators
    where category_l2_id is not null
    union all
    select as_of_date, product_id, 1 as peer_level, category_l1_id as peer_category_id from indicators
    where category_l1_id is not null
),

group_sizes as (
    select
        pc.as_of_date,
        pc.peer_level,
        pc.peer_category_id,
        sum(case when i.paid_orders >= 1 then 1 else 0 end) as ordered_products
    from peer_candidates as pc
    inner join indicators as i on i.as_of_date = pc.as_of_date and i.product_id = pc.product_id
    group by pc.as_of_date, pc.peer_level, pc.peer_category_id
),

candidate_sizes as (
    select
        pc.as_of_date,
        pc.product_id,
        pc.peer_level,
        pc.peer_category_id,
        g.ordered_products
    from peer_candidates as pc
    inner join group_sizes as g
        on g.as_of_date = pc.as_of_date
       and g.peer_level = pc.peer_level
       and g.peer_category_id = pc.peer_category_id
),

chosen_levels as (
    select
        c.as_of_date,
        c.product_id,
        coalesce(max(case when c.ordered_products >= p.min_peer_group_size then c.peer_level end),
                 min(c.peer_level)) as peer_level
    from candidate_sizes as c
    cross join params as p
    group by c.as_of_date, c.product_id
),

chosen_groups as (
    select
        c.as_of_date,
        c.product_id,
        c.peer_level as peer_category_level,
        c.peer_category_id,
        cast(c.ordered_products as bigint) as peer_group_size
    from candidate_sizes as c
    inner join chosen_levels as l
        on l.as_of_date = c.as_of_date
       and l.product_id = c.product_id
       and l.peer_level = c.peer_level
),

indicator_values as (
    {%- for name, dimension, higher, precision in indicators %}
    select
        pc.as_of_date,
        pc.product_id,
        pc.peer_level,
        pc.peer_category_id,
        {{ kscore.sql_string(dimension) }} as dimension,
        {{ kscore.sql_string(name) }} as indicator,
        {{ 'true' if higher else 'false' }} as higher_is_better,
        case when {{ 'i.paid_orders >= 1' if dimension == 'heat' else 'not i.is_low_sample' }}
             then round(cast(i.{{ name }} as double), {{ precision }}) end as value
    from peer_candidates as pc
    inner join indicators as i on i.as_of_date = pc.as_of_date and i.product_id = pc.product_id
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

indicator_percentiles as (
    select
        v.*,
        case when v.higher_is_better
             then {{ peer_percentile('v.value', ['v.as_of_date', 'v.peer_level', 'v.peer_category_id', 'v.indicator'], true) }}
             else {{ peer_percentile('v.value', ['v.as_of_date', 'v.peer_level', 'v.peer_category_id', 'v.indicator'], false) }}
        end as percentile
    from indicator_values as v
),

dimension_scores as (
    select
        ip.as_of_date,
        ip.product_id,
        ip.peer_level,
        ip.peer_category_id,
        ip.dimension,
        {{ weighted_mean('100 * ip.percentile', 'w.weight') }} as score
    from indicator_percentiles as ip
    inner join weights as w on w.indicator = ip.indicator
    group by ip.as_of_date, ip.product_id, ip.peer_level, ip.peer_category_id, ip.dimension
),

score_percentiles as (
    select
        s.*,
        round({{ peer_percentile('s.score', ['s.as_of_date', 's.peer_level', 's.peer_category_id', 's.dimension'], true) }}, 6)
            as score_percentile
    from dimension_scores as s
),

chosen_scores as (
    select
        sp.as_of_date,
        sp.product_id,
        sp.dimension,
        sp.score,
        sp.score_percentile,
        max(l.level_rank) as percentile_rank
    from score_percentiles as sp
    inner join chosen_levels as c
        on c.as_of_date = sp.as_of_date
       and c.product_id = sp.product_id
       and c.peer_level = sp.peer_level
    left join levels as l on l.min_percentile <= sp.score_percentile
    group by sp.as_of_date, sp.product_id, sp.dimension, sp.score, sp.score_percentile
),

pivoted as (
    select
        i.as_of_date,
        i.product_id,
        i.paid_orders,
        i.is_low_sample,
        {%- for dimension in ['heat', 'quality', 'service'] %}
        max(case when cs.dimension = {{ kscore.sql_string(dimension) }} then cs.score end) as {{ dimension }}_score,
        max(case when cs.dimension = {{ kscore.sql_string(dimension) }} then cs.score_percentile end) as {{ dimension }}_percentile,
        max(case when cs.dimension = {{ kscore.sql_string(dimension) }} then cs.percentile_rank end) as {{ dimension }}_percentile_rank
        {{- ',' if not loop.last }}
        {%- endfor %}
    from indicators as i
    left join chosen_scores as cs on cs.as_of_date = i.as_of_date and cs.product_id = i.product_id
    group by i.as_of_date, i.product_id, i.paid_orders, i.is_low_sample
),

ranked as (
    select
        pv.as_of_date,
        pv.product_id,
        case when pv.paid_orders >= 1 then pv.heat_score end as heat_score,
        case when pv.paid_orders >= 1 then pv.heat_percentile end as heat_percentile,
        case when pv.paid_orders < 1 then p.heat_no_order_level_rank
             when pv.heat_score is null then p.unranked_level_rank
             else pv.heat_percentile_rank end as heat_rank,
        {%- for dimension in ['quality', 'service'] %}
        case when not pv.is_low_sample then pv.{{ dimension }}_score end as {{ dimension }}_score,
        case when not pv.is_low_sample then pv.{{ dimension }}_percentile end as {{ dimension }}_percentile,
        case when pv.is_low_sample or pv.{{ dimension }}_score is null then p.unranked_level_rank
             else pv.{{ dimension }}_percentile_rank end as {{ dimension }}_rank
        {{- ',' if not loop.last }}
        {%- endfor %}
    from pivoted as pv
    cross join params as p
),

final as (
    select
        r.as_of_date,
        r.product_id,
        g.peer_category_id,
        g.peer_category_level,
        coalesce(g.peer_group_size, 0) as peer_group_size,
        r.heat_score,
        r.heat_percentile,
        hl.level as heat_level,
        r.heat_rank,
        r.quality_score,
        r.quality_percentile,
        ql.level as quality_level,
        r.quality_rank,
        r.service_score,
        r.service_percentile,
        sl.level as service_level,
        r.service_rank
    from ranked as r
    left join chosen_groups as g on g.as_of_date = r.as_of_date and g.product_id = r.product_id
    left join levels as hl on hl.level_rank = r.heat_rank
    left join levels as ql on ql.level_rank = r.quality_rank
    left join levels as sl on sl.level_rank = r.service_rank
)

select * from final
