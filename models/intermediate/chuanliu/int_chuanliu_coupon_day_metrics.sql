{{ config(materialized='view') }}
{#-
  Day metrics of the 川流 coupon tasks (spec 05 §2): per coupon activity, target shop, metric
  and day of the activity (start_date … end_date) the metric's value on that day:
  distributed_orders cumulated from the start, the day's own-live hours
  (max_day_self_live_hours) and the day's self-live GMV (max_day_self_live_gmv).
  Independent of the as_of_date: chuanliu_coupon_tasks keeps the days up to
  evaluated_through.
-#}

with activities as (
    select * from {{ ref('chuanliu_activities') }}
),

targets as (
    select * from {{ ref('int_chuanliu_coupon_targets') }}
),

orders_daily as {{ kscore.not_materialized() }} (
    select * from {{ ref('int_chuanliu_shop_orders_daily') }}
),

self_live_daily as (
    select shop_id, live_date, live_hours
    from {{ ref('int_live_daily') }}
    where host_type = 'shop'
),

target_activity as (
    select t.activity_id, t.shop_id, a.start_date, a.end_date
    from targets as t
    inner join activities as a on a.activity_id = t.activity_id
),

distributed_orders_cumulative as (
    select
        ta.activity_id,
        ta.shop_id,
        'distributed_orders' as metric,
        o.paid_date as metric_date,
        cast(sum(o.distributed_orders) over (
            partition by ta.activity_id, ta.shop_id order by o.paid_date
            rows between unbounded preceding and current row) as double) as metric_day_value
    from target_activity as ta
    inner join orders_daily as o
        on o.shop_id = ta.shop_id and o.paid_date >= ta.start_date and o.paid_date <= ta.end_date
),

final as (
    select activity_id, shop_id, metric, metric_date, metric_day_value
    from distributed_orders_cumulative
    union all
    select
        ta.activity_id, ta.shop_id, 'max_day_self_live_hours', l.live_date,
        {{ round_half_up('l.live_hours', 6) }}
    from target_activity as ta
    inner join self_live_daily as l
        on l.shop_id = ta.shop_id and l.live_date >= ta.start_date and l.live_date <= ta.end_date
    union all
    select
        ta.activity_id, ta.shop_id, 'max_day_self_live_gmv', o.paid_date,
        {{ round_half_up('o.self_live_gmv', 2) }}
    from target_activity as ta
    inner join orders_daily as o
        on o.shop_id = ta.shop_id and o.paid_date >= ta.start_date and o.paid_date <= ta.end_date
)

select * from final
