{{ config(materialized='table') }}
{#-
  店铺体验分 scored in long form (spec 03 "From indicator to score"): the shared
  macro score_indicators turns each indicator into 50 + 50 p within the shop's
  main category (正式期 shops only), then dimension scores, the 100-point total
  with the category's (or the default) dimension weights, each indicator's
  effective weight and weighted score, the peer group size and the peer
  percentile of the total. One row per as_of_date × shop × indicator.
  It also keeps the weights the macro used (the indicator's seed weight and
  direction, its dimension's weight for this shop: the category's rows or the
  default, 0 without a row), read at the macro's own CTEs, for the distance
  model int_distance_shop_score_parts: the shop scoring runs once per build.
-#}

with indicators as (
    select * from {{ ref('int_experience_shop_indicators') }}
),

indicator_weights as (
    select * from {{ ref('shop_indicator_weights') }}
),

dimension_weights as (
    select main_category_id as weight_key, dimension, weight
        from {{ ref('shop_dimension_weights') }}
),

{{ score_indicators('indicators', 'indicator_weights', 'dimension_weights',
                    entity='shop_id', peer_group='main_category_id',
                        weight_key='main_category_id') }}

final as (
    select
        s.*,
        i.paid_orders_30d,
        w.higher_is_better,
        w.weight as indicator_weight,
        d.dimension_weight
    from scored_indicators as s
    inner join indicators as i
        on i.as_of_date = s.as_of_date
       and i.shop_id = s.shop_id
       and i.indicator = s.indicator
    inner join indicator_weights as w
        on w.indicator = s.indicator
    inner join scoring_dimensions_weighted as d
        on d.as_of_date = s.as_of_date
       and d.shop_id = s.shop_id
       and d.dimension = s.dimension
)

select * from final
