{{ config(materialized='table') }}
{#-
  店铺体验分 indicators in long form (spec 03): one row per as_of_date × active
  shop × indicator with value, numerator and denominator, for every as_of_date
  of the build (vars from_date/to_date) set-based: the date spine is joined to
  the daily pre-aggregates over W30 = D-30 … D-1 and W90 = D-90 … D-1 (seed
  experience_params). Shops and refunds are the versions in force for D.
  The stage gate: fewer than min_orders_scored paid orders in W30 = 成长期
  (is_scored false), otherwise 正式期.
-#}

with spine as (
    select as_of_date from {{ as_of_dates() }} as s
),

shops as (
    select * from {{ ref('stg_landing__shops') }}
),

orders_daily as (
    select * from {{ ref('int_experience_shop_orders_daily') }}
),

reviews_daily as (
    select * from {{ ref('int_experience_shop_reviews_daily') }}
),

im_daily as (
    select * from {{ ref('int_shop_im_daily') }}
),

live_daily as (
    select * from {{ ref('int_live_daily') }}
    where host_type = 'shop'
),

completed_refunds as (
    select * from {{ ref('int_refunds_enriched') }}
    where is_completed
),

params as (
    select
        cast(max(case when param = 'window_days' then value end) as integer) as window_days,
        cast(max(case when param = 'stability_window_days' then value end) as integer) as stability_window_days,
        max(case when param = 'min_orders_scored' then value end) as min_orders_scored
    from {{ ref('experience_params') }}
),

core_params as (
    select max(case when param = 'live_active_min_minutes' then value end) as live_active_min_minutes
    from {{ ref('core_params') }}
),

windows as (
    select
        s.as_of_date,
        {{ add_days('s.as_of_date', '-p.window_days') }} as window_start,
        {{ add_days('s.as_of_date', '-p.stability_window_days') }} as stability_window_start
    from spine as s
    cross join params as p
),

scored_shops as (
    select
        w.as_of_date,
        w.window_start,
        w.stability_window_start,
        sh.shop_id,
        sh.main_category_id
    from windows as w
    inner join shops as sh on {{ version_in_force('sh', 'w.as_of_date') }}
    where sh.status = 'active'
),

orders_w as (
    select
        t.as_of_date,
        t.shop_id,
        sum(o.paid_orders) as paid_orders,
        sum(case when o.deadline_date < t.as_of_date then o.paid_orders else 0 end) as pickup_due_orders,
        sum(case when o.deadline_date < t.as_of_date then o.collected_on_time_orders else 0 end)
            as collected_on_time_orders
    from scored_shops as t
    inner join orders_daily as o
        on o.shop_id = t.shop_id
       and o.paid_date >= t.window_start
       and o.paid_date < t.as_of_date
    group by t.as_of_date, t.shop_id
),

deliveries_w as (
    select
        t.as_of_date,
        t.shop_id,
        sum(o.delivered_collected_orders) as delivered_orders,
        sum(o.delivery_hours_sum) as delivery_hours_sum
    from scored_shops as t
    inner join orders_daily as o
        on o.shop_id = t.shop_id
       and o.delivered_date >= t.window_start
       and o.delivered_date < t.as_of_date
    group by t.as_of_date, t.shop_id
),

paid_days_w90 as (
    select
        t.as_of_date,
        t.shop_id,
        o.paid_date,
        sum(o.paid_orders) as paid_orders
    from scored_shops as t
    inner join orders_daily as o
        on o.shop_id = t.shop_id
       and o.paid_date >= t.stability_window_start
       and o.paid_date < t.as_of_date
    group by t.as_of_date, t.shop_id, o.paid_date
),

refund_orders as (
    select
        t.as_of_date,
        t.shop_id,
        r.order_id,
        r.order_paid_date,
        max(case when r.is_quality_reason and r.order_paid_date >= t.window_start then 1 else 0 end)
            as has_quality_refund
    from scored_shops as t
    inner join completed_refunds as r
        on r.shop_id = t.shop_id
       and r.order_paid_date >= t.stability_window_start
       and r.order_paid_date < t.as_of_date
       and r.in_force_from <= t.as_of_date
       and (r.in_force_to is null or r.in_force_to >= t.as_of_date)
    group by t.as_of_date, t.shop_id, r.order_id, r.order_paid_date
),

refunded_paid_days as (
    select as_of_date, shop_id, order_paid_date as paid_date, count(*) as refunded_orders
    from refund_orders
    group by as_of_date, shop_id, order_paid_date
),

sales_days_w90 as (
    select
        p.as_of_date,
        p.shop_id,
        sum(case when p.paid_orders - coalesce(r.refunded_orders, 0) >= 1 then 1 else 0 end) as effective_sales_days
    from paid_days_w90 as p
    left join refunded_paid_days as r
        on r.as_of_date = p.as_of_date
       and r.shop_id = p.shop_id
       and r.paid_date = p.paid_date
    group by p.as_of_date, p.shop_id
),

quality_refunds_w as (
    select as_of_date, shop_id, sum(has_quality_refund) as quality_refund_orders
    from refund_orders
    group by as_of_date, shop_id
),

complete_hours_w as (
    select
        t.as_of_date,
        t.shop_id,
        sum(case when r.refund_type = 'refund_only' then 1 else 0 end) as refund_only_completed,
        sum(case when r.refund_type = 'refund_only' then r.complete_hours end) as refund_only_hours_sum,
        sum(case when r.refund_type = 'return_refund' then 1 else 0 end) as return_refund_completed,
        sum(case when r.refund_type = 'return_refund' then r.complete_hours end) as return_refund_hours_sum
    from scored_shops as t
    inner join completed_refunds as r
        on r.shop_id = t.shop_id
       and r.is_merchant_completed
       and r.completed_at >= cast(t.window_start as timestamp)
       and r.completed_at < cast(t.as_of_date as timestamp)
       and r.in_force_from <= t.as_of_date
       and (r.in_force_to is null or r.in_force_to >= t.as_of_date)
    group by t.as_of_date, t.shop_id
),

reviews_w as (
    select
        t.as_of_date,
        t.shop_id,
        sum(r.reviews) as reviews,
        sum(r.negative_product_reviews) as negative_product_reviews,
        sum(r.negative_logistics_reviews) as negative_logistics_reviews
    from scored_shops as t
    inner join reviews_daily as r
        on r.shop_id = t.shop_id
       and r.created_date >= t.window_start
       and r.created_date < t.as_of_date
    group by t.as_of_date, t.shop_id
),

im_w as (
    select
        t.as_of_date,
        t.shop_id,
        sum(i.sessions) as im_sessions,
        sum(i.replied_3min_sessions) as im_replied_3min_sessions,
        sum(i.rated_sessions) as im_rated_sessions,
        sum(i.unsatisfied_sessions) as im_unsatisfied_sessions
    from scored_shops as t
    inner join im_daily as i
        on i.shop_id = t.shop_id
       and i.im_date >= t.window_start
       and i.im_date < t.as_of_date
    group by t.as_of_date, t.shop_id
),

live_w90 as (
    select
        t.as_of_date,
        t.shop_id,
        sum(case when round(l.live_hours * 60, 6) >= cp.live_active_min_minutes then 1 else 0 end) as live_active_days
    from scored_shops as t
    inner join live_daily as l
        on l.shop_id = t.shop_id
       and l.live_date >= t.stability_window_start
       and l.live_date < t.as_of_date
    cross join core_params as cp
    group by t.as_of_date, t.shop_id
),

counts as (
    select
        t.as_of_date,
        t.shop_id,
        t.main_category_id,
        cast(coalesce(o.paid_orders, 0) as bigint) as paid_orders_30d,
        coalesce(q.quality_refund_orders, 0) as quality_refund_orders,
        coalesce(rv.reviews, 0) as reviews,
        coalesce(rv.negative_product_reviews, 0) as negative_product_reviews,
        coalesce(rv.negative_logistics_reviews, 0) as negative_logistics_reviews,
        coalesce(o.pickup_due_orders, 0) as pickup_due_orders,
        coalesce(o.collected_on_time_orders, 0) as collected_on_time_orders,
        coalesce(d.delivered_orders, 0) as delivered_orders,
        coalesce(d.delivery_hours_sum, 0) as delivery_hours_sum,
        coalesce(ch.refund_only_completed, 0) as refund_only_completed,
        coalesce(ch.refund_only_hours_sum, 0) as refund_only_hours_sum,
        coalesce(ch.return_refund_completed, 0) as return_refund_completed,
        coalesce(ch.return_refund_hours_sum, 0) as return_refund_hours_sum,
        coalesce(im.im_sessions, 0) as im_sessions,
        coalesce(im.im_replied_3min_sessions, 0) as im_replied_3min_sessions,
        coalesce(im.im_rated_sessions, 0) as im_rated_sessions,
        coalesce(im.im_unsatisfied_sessions, 0) as im_unsatisfied_sessions,
        coalesce(l.live_active_days, 0) as live_active_days,
        coalesce(s.effective_sales_days, 0) as effective_sales_days,
        coalesce(o.paid_orders, 0) >= p.min_orders_scored as is_scored
    from scored_shops as t
    cross join params as p
    left join orders_w as o on o.as_of_date = t.as_of_date and o.shop_id = t.shop_id
    left join deliveries_w as d on d.as_of_date = t.as_of_date and d.shop_id = t.shop_id
    left join quality_refunds_w as q on q.as_of_date = t.as_of_date and q.shop_id = t.shop_id
    left join sales_days_w90 as s on s.as_of_date = t.as_of_date and s.shop_id = t.shop_id
    left join complete_hours_w as ch on ch.as_of_date = t.as_of_date and ch.shop_id = t.shop_id
    left join reviews_w as rv on rv.as_of_date = t.as_of_date and rv.shop_id = t.shop_id
    left join im_w as im on im.as_of_date = t.as_of_date and im.shop_id = t.shop_id
    left join live_w90 as l on l.as_of_date = t.as_of_date and l.shop_id = t.shop_id
),

{#- indicator: (numerator, denominator); a NULL denominator marks a count indicator (value = numerator) -#}
{%- set indicators = [
    ('quality_refund_order_rate', 'quality_refund_orders', 'paid_orders_30d'),
    ('negative_product_feedback_rate', 'negative_product_reviews', 'reviews'),
    ('timely_pickup_rate', 'collected_on_time_orders', 'pickup_due_orders'),
    ('delivery_hours', 'delivery_hours_sum', 'delivered_orders'),
    ('negative_logistics_feedback_rate', 'negative_logistics_reviews', 'reviews'),
    ('refund_only_complete_hours', 'refund_only_hours_sum', 'refund_only_completed'),
    ('return_refund_complete_hours', 'return_refund_hours_sum', 'return_refund_completed'),
    ('im_reply_3min_rate', 'im_replied_3min_sessions', 'im_sessions'),
    ('im_dissatisfaction_rate', 'im_unsatisfied_sessions', 'im_rated_sessions'),
    ('live_active_days_90d', 'live_active_days', none),
    ('effective_sales_days_90d', 'effective_sales_days', none),
] %}

final as (
    {%- for name, num, den in indicators %}
    select
        as_of_date,
        shop_id,
        main_category_id,
        paid_orders_30d,
        is_scored,
        {{ kscore.sql_string(name) }} as indicator,
        {%- if den %}
        round({{ safe_divide(num, den) }}, 6) as value,
        round(cast({{ num }} as double), 6) as numerator,
        cast({{ den }} as double) as denominator
        {%- else %}
        cast({{ num }} as double) as value,
        cast({{ num }} as double) as numerator,
        cast(null as double) as denominator
        {%- endif %}
    from counts
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select * from final
