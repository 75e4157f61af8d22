{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  商品分层 indicator distance (spec 02; issue 13 point 3): per as_of_date x tiered product x
  indicator, the value the indicator needs for its dimension (热度值, 品质力, 服务力) to reach the
  next level with the peers of that day fixed (their values, scores and the cut points of seed
  dimension_levels), from int_distance_product_indicator_counts; NULL with distance_reason when
  no value applies. needed_percentile is the indicator's peer percentile at that value.
-#}

with counts as (
    select * from {{ ref('int_distance_product_indicator_counts') }}
),

tiers as (
    select as_of_date, product_id, shop_id from {{ ref('product_tier_daily') }}
    where {{ in_build_range('as_of_date') }}
),

levels as (
    select * from {{ ref('dimension_levels') }}
),

final as (
    select
        c.as_of_date,
        c.product_id,
        t.shop_id,
        c.dimension,
        c.dimension_cn,
        c.indicator,
        c.indicator_cn,
        c.higher_is_better,
        cast(c.value_precision as integer) as value_precision,
        cast(c.current_value as double) as current_value,
        {{ round_half_up('c.current_percentile', 6) }} as current_percentile,
        c.dimension_score,
        l.level,
        c.level_rank,
        nl.level as target_level,
        c.target_rank,
        c.needed_dimension_score,
        cast(c.others_valued as bigint) as peers_valued,
        cast(c.needed_value as double) as needed_value,
        case when c.needed_value is not null then {{ round_half_up(
            '(cast(c.needed_count as double) + 1) / (c.others_valued + 1)', 6) }} end
            as needed_percentile,
        case when c.needed_value is not null and c.current_value is not null then
            {{ round_half_up('c.needed_value - c.current_value', 6) }} end as value_change,
        c.distance_reason
    from counts as c
    inner join tiers as t on t.as_of_date = c.as_of_date and t.product_id = c.product_id
    left join levels as l on l.level_rank = c.level_rank
    left join levels as nl on nl.level_rank = c.target_rank
)

select * from final
