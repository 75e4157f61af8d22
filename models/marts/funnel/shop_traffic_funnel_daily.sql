{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='as_of_date') }}
{#-
  生意通 traffic funnel (spec 08): per (as_of_date D, dt = D-1, active shop, scene) the shop's own funnel
  figures and step conversions (next step / this step, NULL on a zero denominator), and beside them the
  mean of the same figures over its peers for the day (同行同等级商家均值): active shops with the same
  main category and the same 店铺体验分 stage, read from int_experience_shop_indicators (the shops and the
  stage gate of the experience score, not a copy of them).
-#}

with shop_stages as (
    -- the 店铺体验分 stage itself, per (as_of_date, active shop): int_experience_shop_indicators decides it
    -- (one row per indicator, all with the shop's is_scored), so the gate is written once
    select distinct
        as_of_date,
        shop_id,
        main_category_id,
        is_scored
    from {{ ref('int_experience_shop_indicators') }}
    -- the intermediate may also hold 快质造 check Mondays outside the build (macro as_of_dates_with_checks)
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
        case when s.content_source = 'live_session' then coalesce(f.room_exposures, 0) end as room_exposures,
        case when s.content_source is not null then coalesce(f.content_views, 0) end as content_views,
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
        round({{ safe_divide('content_views', 'room_exposures') }}, 6) as view_rate,
        round({{ safe_divide('product_exposures', 'content_views') }}, 6) as product_exposure_per_view,
        round({{ safe_divide('product_visits', 'product_exposures') }}, 6) as visit_rate,
        round({{ safe_divide('paid_orders', 'product_visits') }}, 6) as order_rate
    from own
),

peer_means as (
    select
        as_of_date,
        main_category_id,
        stage_rank,
        scene,
        count(*) as peer_group_size,
        avg(cast(room_exposures as double)) as peer_avg_room_exposures,
        avg(cast(content_views as double)) as peer_avg_content_views,
        avg(cast(product_exposures as double)) as peer_avg_product_exposures,
        avg(cast(product_visits as double)) as peer_avg_product_visits,
        avg(cast(paid_orders as double)) as peer_avg_paid_orders,
        sum(gmv) as peer_sum_gmv,  -- exact decimal sum; divided once below: no rounding flips between builds
        -- rates are already rounded to 6 decimals: exact decimal sums, one division and a half-up rounding
        -- below, so a range build and day-by-day builds agree (a DOUBLE avg flipped the 6th decimal)
        {%- for r in ['view_rate', 'product_exposure_per_view', 'visit_rate', 'order_rate'] %}
        sum(cast({{ r }} as decimal(18, 6))) as peer_sum_{{ r }},
        count({{ r }}) as peer_n_{{ r }}{{ ',' if not loop.last }}
        {%- endfor %}
    from own_rates
    group by as_of_date, main_category_id, stage_rank, scene
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
        cast(p.peer_group_size as bigint) as peer_group_size,
        {{ round_half_up('p.peer_avg_' ~ 'room_exposures', 6) }} as peer_avg_room_exposures,
        {{ round_half_up('p.peer_avg_' ~ 'content_views', 6) }} as peer_avg_content_views,
        {{ round_half_up('p.peer_avg_' ~ 'product_exposures', 6) }} as peer_avg_product_exposures,
        {{ round_half_up('p.peer_avg_' ~ 'product_visits', 6) }} as peer_avg_product_visits,
        {{ round_half_up('p.peer_avg_' ~ 'paid_orders', 6) }} as peer_avg_paid_orders,
        cast({{ round_half_up('p.peer_sum_gmv / p.peer_group_size', 2) }} as decimal(18, 2)) as peer_avg_gmv,
        {{ round_half_up('p.peer_sum_view_rate / nullif(p.peer_n_view_rate, 0)', 6) }} as peer_avg_view_rate,
        {{ round_half_up('p.peer_sum_product_exposure_per_view / nullif(p.peer_n_product_exposure_per_view, 0)', 6) }} as peer_avg_product_exposure_per_view,
        {{ round_half_up('p.peer_sum_visit_rate / nullif(p.peer_n_visit_rate, 0)', 6) }} as peer_avg_visit_rate,
        {{ round_half_up('p.peer_sum_order_rate / nullif(p.peer_n_order_rate, 0)', 6) }} as peer_avg_order_rate
    from own_rates as o
    inner join peer_means as p
        on p.as_of_date = o.as_of_date and p.main_category_id = o.main_category_id
       and p.stage_rank = o.stage_rank and p.scene = o.scene
)

select * from final
