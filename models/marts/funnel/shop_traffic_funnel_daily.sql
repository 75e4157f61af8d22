{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='as_of_date') }}
{#-
  生意通 traffic funnel (spec 08): per (as_of_date D, dt = D-1, active shop, scene) the shop's own funnel
  figures and step conversions (next step / this step, NULL on a zero denominator), and beside them the
  mean of the same figures over its peers for the day (同行同等级商家均值): active shops with the same
  main category and the same 店铺体验分 stage (正式期: at least experience_params.min_orders_scored paid
  orders in the experience window D-30 … D-1, as int_experience_shop_indicators decides it).
-#}

with spine as (
    select as_of_date from {{ as_of_dates() }} as s
),

shops as (
    select * from {{ ref('stg_landing__shops') }}
),

scenes as (
    select * from {{ ref('funnel_scenes') }}
),

funnel_daily as (
    select * from {{ ref('int_funnel_shop_daily') }}
),

orders_daily as (
    select * from {{ ref('int_chuanliu_shop_orders_daily') }}
),

params as (
    -- the 店铺体验分 stage gate itself (seed experience_params), not a copy of it
    select
        cast(max(case when param = 'window_days' then value end) as integer) as peer_window_days,
        max(case when param = 'min_orders_scored' then value end) as min_orders_scored
    from {{ ref('experience_params') }}
),

stages as (
    select '成长期' as score_stage, 0 as stage_rank, cast(0 as double) as min_orders_30d
    union all
    select '正式期' as score_stage, 1 as stage_rank, min_orders_scored as min_orders_30d from params
),

active_shops as (
    select
        sp.as_of_date,
        {{ add_days('sp.as_of_date', -1) }} as dt,
        sh.shop_id,
        sh.main_category_id
    from spine as sp
    inner join shops as sh on {{ version_in_force('sh', 'sp.as_of_date') }}
    where sh.status = 'active'
),

orders_window as (
    select sp.as_of_date, o.shop_id, sum(o.paid_orders) as paid_orders_30d
    from spine as sp
    cross join params as p
    inner join orders_daily as o
        on o.paid_date >= {{ add_days('sp.as_of_date', '-p.peer_window_days') }}
       and o.paid_date < sp.as_of_date
    group by sp.as_of_date, o.shop_id
),

shop_stage_rank as (
    select a.as_of_date, a.shop_id, max(st.stage_rank) as stage_rank
    from active_shops as a
    left join orders_window as w on w.as_of_date = a.as_of_date and w.shop_id = a.shop_id
    inner join stages as st on st.min_orders_30d <= coalesce(w.paid_orders_30d, 0)
    group by a.as_of_date, a.shop_id
),

own as (
    select
        a.as_of_date,
        a.dt,
        a.shop_id,
        a.main_category_id,
        st.score_stage,
        st.stage_rank,
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
    inner join shop_stage_rank as r on r.as_of_date = a.as_of_date and r.shop_id = a.shop_id
    inner join stages as st on st.stage_rank = r.stage_rank
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
