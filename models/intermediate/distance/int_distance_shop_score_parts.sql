{{ config(materialized='table') }}
{#-
  店铺体验分 parts per as_of_date x shop x indicator (spec 03; issue 13 point 3): the macro
  score_indicators over the same inputs as int_experience_shop_scores, read at its own CTEs so
  that the distance marts have the weights it used: the indicator's seed weight and direction,
  its score, its dimension's weight for this shop (the category's rows or the default) and score,
  and the shop's 100-point total. For the build's as_of_dates.
-#}

with indicators as (
    select * from {{ ref('int_experience_shop_indicators') }}
    where {{ in_build_range('as_of_date') }}
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
        s.as_of_date,
        s.shop_id,
        s.main_category_id,
        s.is_scored,
        s.dimension,
        s.dimension_key,
        s.indicator,
        s.indicator_name_cn,
        s.higher_is_better,
        s.indicator_weight,
        round(s.value, 6) as value,
        s.indicator_score,
        d.dimension_weight,
        d.dimension_score,
        t.total_score_100
    from scoring_indicator_scores as s
    inner join scoring_dimensions_weighted as d
        on d.as_of_date = s.as_of_date and d.shop_id = s.shop_id and d.dimension = s.dimension
    inner join scoring_totals as t
        on t.as_of_date = s.as_of_date and t.shop_id = s.shop_id
)

select * from final
