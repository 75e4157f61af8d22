{{ config(materialized='table') }}
{#-
  带货口碑分 scored in long form (spec 04 "Score"): exactly the shop framework,
  through the same macro score_indicators: 50 + 50 p within the creator_level
  (正式期 creators only), dimension scores, the 100-point total with the
  level's (or the default) dimension weights, effective weights and weighted
  scores, the peer group size and the peer percentile of the total.
-#}

with indicators as (
    select * from {{ ref('int_reputation_creator_indicators') }}
),

indicator_weights as (
    select * from {{ ref('creator_indicator_weights') }}
),

dimension_weights as (
    select creator_level as weight_key, dimension, weight
        from {{ ref('creator_dimension_weights') }}
),

{{ score_indicators('indicators', 'indicator_weights', 'dimension_weights',
                    entity='creator_id', peer_group='creator_level', weight_key='creator_level') }}

final as (
    select
        s.*,
        i.distribution_orders_30d
    from scored_indicators as s
    inner join indicators as i
        on i.as_of_date = s.as_of_date
       and i.creator_id = s.creator_id
       and i.indicator = s.indicator
)

select * from final
