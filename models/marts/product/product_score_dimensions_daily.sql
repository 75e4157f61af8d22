{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  商品分 extra dimensions per as_of_date × product of product_tier_daily (spec 09 §3):
  品牌力 (brand_level, a property of the listing), 价格力 (店铺低价 only), 内容GPM
  (直播GPM, 短视频GPM) and 综合好评率, each level ranked against 02's chosen peer
  group (int_product_extra_scores). These levels do not change the tier.
-#}

with indicators as (
    select * from {{ ref('int_product_extra_indicators') }}
    where {{ in_build_range('as_of_date') }}
),

scores as (
    select * from {{ ref('int_product_extra_scores') }}
),

brand_levels as (
    select * from {{ ref('brand_levels') }}
),

final as (
    select
        i.as_of_date,
        i.product_id,
        i.shop_id,
        i.category_id,
        i.peer_category_id,
        cast(i.peer_category_level as integer) as peer_category_level,
        i.is_low_sample,
        i.brand_id,
        i.is_brand_shop,
        i.is_known_brand,
        bl.level as brand_level,
        cast(i.brand_rank as integer) as brand_rank,
        cast(i.list_price as decimal(18, 2)) as list_price,
        cast(i.price_orders_7d as bigint) as price_orders_7d,
        cast(i.avg_unit_price_7d as decimal(18, 2)) as avg_unit_price_7d,
        cast(i.avg_unit_price_prior as decimal(18, 2)) as avg_unit_price_prior,
        cast(i.min_daily_unit_price_prior as decimal(18, 2)) as min_daily_unit_price_prior,
        cast(i.price_vs_list as double) as price_vs_list,
        cast(i.price_vs_history as double) as price_vs_history,
        i.is_shop_low_price,
        cast(s.price_score as double) as price_score,
        s.price_level,
        cast(s.price_rank as integer) as price_rank,
        cast(i.live_orders as bigint) as live_orders,
        cast(i.live_gmv as decimal(18, 2)) as live_gmv,
        cast(i.live_views as bigint) as live_views,
        cast(i.live_gpm as decimal(18, 2)) as live_gpm,
        cast(i.video_orders as bigint) as video_orders,
        cast(i.video_gmv as decimal(18, 2)) as video_gmv,
        cast(i.video_views as bigint) as video_views,
        cast(i.video_gpm as decimal(18, 2)) as video_gpm,
        cast(s.gpm_score as double) as gpm_score,
        s.gpm_level,
        cast(s.gpm_rank as integer) as gpm_rank,
        cast(i.reviews as bigint) as reviews,
        cast(i.good_reviews as bigint) as good_reviews,
        cast(i.good_review_rate as double) as good_review_rate,
        cast(s.good_review_score as double) as good_review_score,
        s.good_review_level,
        cast(s.good_review_rank as integer) as good_review_rank,
        i.is_price_ranked,
        i.is_gpm_ranked,
        i.is_good_review_ranked,
        cast(s.price_percentile as double) as price_percentile,
        cast(s.gpm_percentile as double) as gpm_percentile,
        cast(s.good_review_percentile as double) as good_review_percentile
    from indicators as i
    left join scores as s on s.as_of_date = i.as_of_date and s.product_id = i.product_id
    left join brand_levels as bl on bl.level_rank = i.brand_rank
)

select * from final
