{{ config(materialized='table') }}
{#-
  店铺体验分 parts per as_of_date x shop x indicator (spec 03; issue 13 point 3), read from
  int_experience_shop_scores (the one scoring pass, macro score_indicators) so that the distance
  marts have the weights it used: the indicator's seed weight and direction, its score, its
  dimension's weight for this shop (the category's rows or the default) and score, and the shop's
  100-point total. For the build's as_of_dates.
-#}

with scores as (
    select * from {{ ref('int_experience_shop_scores') }}
    where {{ in_build_range('as_of_date') }}
),

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
        s.dimension_weight,
        s.dimension_score,
        s.total_score_100
    from scores as s
)

select * from final
