{{ config(materialized='table') }}
{#-
  店铺体验分 scored in long form (spec 03 "From indicator to score"): the shared
  macro score_indicators turns each indicator into 50 + 50 p within the shop's
  main category (正式期 shops only), then dimension scores, the 100-point total
  with the category's (or the default) dimension weights, each indicator's
  effective weight and weighted score, the peer group size and the peer
  percentile of the total. One row per as_of_date × shop × indicator.
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
        i.paid_orders_30d
    from scored_indicators as s
    inner join indicators as i
        on i.as_of_date = s.as_of_date
       and i.shop_id = s.shop_id
       and i.indicator = s.indicator
)

select * from final
