{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  生意通 traffic funnel (spec 08): per (as_of_date D, dt = D-1, active shop, scene) the shop's own
  funnel figures and step conversions (next step / this step, NULL on a zero denominator), and
  beside them the mean of the same figures over its peers for the day (同行同等级商家均值): active shops with
  the same main category and the same 店铺体验分 stage, read from int_experience_shop_indicators (the
  shops and the stage gate of the experience score, not a copy of them).
-#}

with shop_stages as (
    -- the 店铺体验分 stage itself, per (as_of_date, active shop): int_experience_shop_indicators decides
    -- it (one row per indicator, all with the shop's is_scored), so the gate is written once
    select distinct
        as_of_date,
        shop_id,
        main_category_id,
        is_scored
    from {{ ref('int_experience_shop_indicators') }}
    -- the intermediate may also hold 快质造 check Mondays outside the build (macro
    -- as_of_dates_with_checks)
    where {{ in_build_range('as_of_date') }}
),

scenes as (
    select * from {{ ref('funnel_scenes') }}
),

funnel_daily as (
    select * from {{ ref('int_funnel_shop_daily') }}
),

active_shops as (
    select
        as_of_date,
        {{ add_days('as_of_date', -1) }} as dt,
        shop_id,
        main_category_id,
        {{ score_stage('is_scored') }} as score_stage,
        case when is_scored then 1 else 0 end as stage_rank
    from shop_stages
),

own as (
    select
        a.as_of_date,
        a.dt,
        a.shop_id,
        a.main_category_id,
        a.score_stage,
        a.stage_rank,
        s.scene,
        s.scene_cn,
        s.scene_rank,
        case when s.content_source = 'live_session' then coalesce(f.room_exposures,
            0) end as room_exposures,
        case when s.content_source is not null then coalesce(f.content_views,
            0) end as content_views,
        coalesce(f.product_exposures, 0) as product_exposures,
        coalesce(f.product_visits, 0) as product_visits,
        coalesce(f.paid_orders, 0) as paid_orders,
        cast(coalesce(f.gmv, 0) as decimal(18, 2)) as gmv
    from active_shops as a
    cross join scenes as s
    left join funnel_daily as f on f.shop_id = a.shop_id and f.dt = a.dt and f.scene = s.scene
),

own_rates as (
    select
        *,
        {{ round_half_up(safe_divide('content_views', 'room_exposures'), 6) }} as view_rate,
        {{ round_half_up(safe_divide('product_exposures', 'content_views'),
            6) }} as product_exposure_per_view,
        {{ round_half_up(safe_divide('product_visits', 'product_exposures'), 6) }} as visit_rate,
        {{ round_half_up(safe_divide('paid_orders', 'product_visits'), 6) }} as order_rate
    from own
),

peer_means as (
    -- 同行同等级商家均值: the one peer-mean arithmetic (macro funnel_peer_means)
    {{ funnel_peer_means('own_rates', ['as_of_date', 'main_category_id', 'stage_rank', 'scene']) }}
),

final as (
    select
        o.as_of_date,
        o.dt,
        o.shop_id,
        o.scene,
        o.scene_cn,
        o.scene_rank,
        o.main_category_id,
        o.score_stage,
        o.stage_rank,
        cast(o.room_exposures as bigint) as room_exposures,
        cast(o.content_views as bigint) as content_views,
        cast(o.product_exposures as bigint) as product_exposures,
        cast(o.product_visits as bigint) as product_visits,
        cast(o.paid_orders as bigint) as paid_orders,
        o.gmv,
        o.view_rate,
        o.product_exposure_per_view,
        o.visit_rate,
        o.order_rate,
        {{ funnel_peer_avg_columns('p') }}
    from own_rates as o
    inner join peer_means as p
        on p.as_of_date = o.as_of_date and p.main_category_id = o.main_category_id
       and p.stage_rank = o.stage_rank and p.scene = o.scene
)

select * from final
