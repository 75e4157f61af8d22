{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  商品分层 G0–G4 per as_of_date × tiered product (spec 02): indicators,
  dimension levels, the tier (lowest cap of the four dimension levels, seed
  tier_caps), flags and the upgrade hint. Computes every as_of_date of the build.
  A dimension unranked for lack of orders (heat: no paid order in W; quality and
  service: is_low_sample) appends to its hint entry the orders ranking needs,
  (需近<window_days>天支付订单≥N), N = 1 for heat and min_orders_for_rates for
  quality and service; orders_to_rank = max(0, N - paid_orders) over the
  product's unranked dimensions, 0 when none is (spec 09 §6.3).
-#}

with indicators as (
    select * from {{ ref('int_product_tier_indicators') }}
    where {{ in_build_range('as_of_date') }}
),

scores as (
    select * from {{ ref('int_product_tier_scores') }}
),

caps as (
    select * from {{ ref('tier_caps') }}
),

hint_labels as (
    select * from {{ ref('int_product_tier_hint_labels') }}
),

params as (
    {{ seed_params('product_tier_params', [
        ('good_product_min_tier', 'good_product_min_tier'),
        ('good_badge_min_tier', 'good_badge_min_tier'),
        ('laggard_max_tier', 'laggard_max_tier'),
        ('window_days', 'window_days', 'integer'),
        ('min_orders_for_rates', 'min_orders_for_rates', 'integer'),
    ]) }}
),

joined as (
    select
        i.*,
        s.peer_category_id,
        s.peer_category_level,
        s.peer_group_size,
        s.heat_score,
        s.heat_percentile,
        s.heat_level,
        s.heat_rank,
        s.quality_score,
        s.quality_percentile,
        s.quality_level,
        s.quality_rank,
        s.service_score,
        s.service_percentile,
        s.service_level,
        s.service_rank
    from indicators as i
    left join scores as s on s.as_of_date = i.as_of_date and s.product_id = i.product_id
),

{{ product_tier_caps('joined', 'caps') }}

max_tier as (
    select max(tier_cap) as max_tier_rank from caps
),

{#- the orders a dimension unranked for lack of orders needs: heat ranks with >= 1 paid order in W,
    quality and service once the product is not is_low_sample (min_orders_for_rates) -#}
unranked as (
    select
        t.*,
        coalesce(t.paid_orders < 1, false) as is_heat_unranked,
        coalesce(t.is_low_sample, false) as is_rates_unranked,
        '(需近' || cast(p.window_days as {{ kscore.type_name('varchar') }}) || '天支付订单≥'
            as needs_prefix,
        p.min_orders_for_rates
    from tiered as t
    cross join params as p
),

final as (
    select
        t.as_of_date,
        t.window_start,
        t.window_end,
        t.product_id,
        t.shop_id,
        t.category_id,
        t.peer_category_id,
        t.peer_category_level,
        cast(t.peer_group_size as bigint) as peer_group_size,
        t.paid_orders,
        t.effective_gmv,
        t.exposures,
        t.exposure_conversion,
        t.quality_refund_rate,
        t.negative_quality_review_rate,
        t.in_stock_ratio,
        t.avg_ship_hours,
        t.im_reply_3min_rate,
        t.im_satisfaction_rate,
        t.dispute_rate,
        t.refund_self_complete_hours,
        t.is_low_sample,
        t.info_score,
        t.info_level,
        cast(t.info_rank as integer) as info_rank,
        t.heat_score,
        t.heat_level,
        cast(t.heat_rank as integer) as heat_rank,
        t.quality_score,
        t.quality_level,
        cast(t.quality_rank as integer) as quality_rank,
        t.service_score,
        t.service_level,
        cast(t.service_rank as integer) as service_rank,
        'G' || cast(t.tier_rank as {{ kscore.type_name('varchar') }}) as tier,
        cast(t.tier_rank as integer) as tier_rank,
        t.tier_rank >= p.good_product_min_tier as is_good_product,
        t.tier_rank >= p.good_badge_min_tier as has_good_badge,
        t.tier_rank <= p.laggard_max_tier as is_laggard,
        case when t.tier_rank >= m.max_tier_rank then ''
             else substr(
                 case when t.info_cap <= t.tier_rank then coalesce(';' || hi.hint, '') else '' end
                 || case when t.heat_cap <= t.tier_rank then coalesce(';' || hh.hint
                        || case when t.is_heat_unranked then t.needs_prefix || '1)' else '' end, '')
                      else '' end
                 || case when t.quality_cap <= t.tier_rank then coalesce(';' || hq.hint
                        || case when t.is_rates_unranked
                                then t.needs_prefix
                                     || cast(t.min_orders_for_rates
                                             as {{ kscore.type_name('varchar') }})
                                     || ')'
                                else '' end, '') else '' end
                 || case when t.service_cap <= t.tier_rank then coalesce(';' || hs.hint
                        || case when t.is_rates_unranked
                                then t.needs_prefix
                                     || cast(t.min_orders_for_rates
                                             as {{ kscore.type_name('varchar') }})
                                     || ')'
                                else '' end, '') else '' end,
                 2)
        end as upgrade_hint,
        cast(greatest(0,
                      case when t.is_heat_unranked then 1 - t.paid_orders else 0 end,
                      case when t.is_rates_unranked then t.min_orders_for_rates - t.paid_orders
                           else 0 end)
             as integer) as orders_to_rank,
        cast(t.info_cap as integer) as info_cap,
        cast(t.heat_cap as integer) as heat_cap,
        cast(t.quality_cap as integer) as quality_cap,
        cast(t.service_cap as integer) as service_cap,
        t.heat_percentile,
        t.quality_percentile,
        t.service_percentile,
        t.quality_refund_orders,
        t.reviews,
        t.negative_product_reviews,
        t.dispute_orders
    from unranked as t
    cross join params as p
    cross join max_tier as m
    left join hint_labels as hi on hi.dimension = 'info' and hi.target_rank = t.tier_rank + 1
    left join hint_labels as hh on hh.dimension = 'heat' and hh.target_rank = t.tier_rank + 1
    left join hint_labels as hq on hq.dimension = 'quality' and hq.target_rank = t.tier_rank + 1
    left join hint_labels as hs on hs.dimension = 'service' and hs.target_rank = t.tier_rank + 1
)

select * from final
