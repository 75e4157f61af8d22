{{ config(materialized='table') }}
{#-
  商品分层 indicators per as_of_date × tiered product (spec 02), for every
  as_of_date of the build (vars from_date/to_date) set-based: the spine is
  joined to the daily pre-aggregates over W = D-window_days … D-1.
  Change records (products, shops, categories) are the versions in force for D;
  refunds are the version in force for D (int_refunds_enriched in_force_from/to).
  Also carries the info score of the product version and its category ancestors
  (level 3 / 2 / 1) for the peer groups.
-#}

with spine as (
    select as_of_date from {{ as_of_dates() }} as s
),

products as (
    select * from {{ ref('stg_landing__products') }}
),

shops as (
    select * from {{ ref('stg_landing__shops') }}
),

categories as (
    select * from {{ ref('stg_landing__categories') }}
),

info_scores as (
    select * from {{ ref('int_product_info_scores') }}
),

orders_daily as (
    select * from {{ ref('int_product_orders_daily') }}
),

reviews_daily as (
    select * from {{ ref('int_product_reviews_daily') }}
),

traffic_daily as (
    select * from {{ ref('int_product_traffic_daily') }}
),

im_daily as (
    select * from {{ ref('int_shop_im_daily') }}
),

refunds as (
    select * from {{ ref('int_refunds_enriched') }}
    where is_completed or platform_intervened
),

params as (
    select
        cast(max(case when param = 'window_days' then value end) as integer) as window_days,
        max(case when param = 'min_orders_for_rates' then value end) as min_orders_for_rates
    from {{ ref('product_tier_params') }}
),

windows as (
    select
        s.as_of_date,
        {{ add_days('s.as_of_date', '-p.window_days') }} as window_start,
        {{ add_days('s.as_of_date', -1) }} as window_end
    from spine as s
    cross join params as p
),

tiered_products as (
    select
        w.as_of_date,
        w.window_start,
        w.window_end,
        p.product_id,
        p.shop_id,
        p.category_id,
        p.updated_at as product_updated_at
    from windows as w
    inner join products as p on {{ version_in_force('p', 'w.as_of_date') }}
    inner join shops as sh
        on sh.shop_id = p.shop_id
       and {{ version_in_force('sh', 'w.as_of_date') }}
    where p.status = 'on_sale'
      and p.listed_at < cast(w.as_of_date as timestamp)
      and sh.status = 'active'
),

categories_in_force as (
    select
        w.as_of_date,
        c.category_id,
        c.parent_id,
        c.level
    from windows as w
    inner join categories as c on {{ version_in_force('c', 'w.as_of_date') }}
),

category_paths as (
    select
        c.as_of_date,
        c.category_id,
        c.level as leaf_level,
        case when c.level = 3 then c.category_id end as category_l3_id,
        case when c.level = 2 then c.category_id
             when p1.level = 2 then p1.category_id end as category_l2_id,
        case when c.level = 1 then c.category_id
             when p1.level = 1 then p1.category_id
             when p2.level = 1 then p2.category_id end as category_l1_id
    from categories_in_force as c
    left join categories_in_force as p1 on p1.as_of_date = c.as_of_date and p1.category_id = c.parent_id
    left join categories_in_force as p2 on p2.as_of_date = c.as_of_date and p2.category_id = p1.parent_id
),

orders_w as (
    select
        t.as_of_date,
        t.product_id,
        sum(o.paid_orders) as paid_orders,
        sum(o.gmv) as gmv,
        sum(o.in_stock_orders) as in_stock_orders,
        sum(case when o.shipped_date < t.as_of_date then o.shipped_orders else 0 end) as shipped_orders,
        sum(case when o.shipped_date < t.as_of_date then o.ship_hours_sum end) as ship_hours_sum
    from tiered_products as t
    inner join orders_daily as o
        on o.product_id = t.product_id
       and o.paid_date >= t.window_start
       and o.paid_date < t.as_of_date
    group by t.as_of_date, t.product_id
),

refund_orders as (
    select
        t.as_of_date,
        t.product_id,
        r.order_id,
        sum(case when r.is_completed then r.refund_amount else 0 end) as completed_refund_amount,
        max(case when r.is_completed and r.is_quality_reason then 1 else 0 end) as has_quality_refund,
        max(case when r.platform_intervened then 1 else 0 end) as has_dispute,
        sum(case when r.is_merchant_completed then 1 else 0 end) as merchant_completed_refunds,
        sum(case when r.is_merchant_completed then r.complete_hours end) as merchant_complete_hours_sum
    from tiered_products as t
    inner join refunds as r
        on r.product_id = t.product_id
       and r.order_paid_date >= t.window_start
       and r.order_paid_date < t.as_of_date
       and r.in_force_from <= t.as_of_date
       and (r.in_force_to is null or r.in_force_to >= t.as_of_date)
    group by t.as_of_date, t.product_id, r.order_id
),

refunds_w as (
    select
        as_of_date,
        product_id,
        sum(completed_refund_amount) as completed_refund_amount,
        sum(has_quality_refund) as quality_refund_orders,
        sum(has_dispute) as dispute_orders,
        sum(merchant_completed_refunds) as merchant_completed_refunds,
        sum(merchant_complete_hours_sum) as merchant_complete_hours_sum
    from refund_orders
    group by as_of_date, product_id
),

reviews_w as (
    select
        t.as_of_date,
        t.product_id,
        sum(r.reviews) as reviews,
        sum(r.negative_product_reviews) as negative_product_reviews
    from tiered_products as t
    inner join reviews_daily as r
        on r.product_id = t.product_id
       and r.created_date >= t.window_start
       and r.created_date < t.as_of_date
    group by t.as_of_date, t.product_id
),

traffic_w as (
    select
        t.as_of_date,
        t.product_id,
        sum(tr.content_exposures) as exposures
    from tiered_products as t
    inner join traffic_daily as tr
        on tr.product_id = t.product_id
       and tr.traffic_date >= t.window_start
       and tr.traffic_date < t.as_of_date
    group by t.as_of_date, t.product_id
),

shop_im_w as (
    select
        w.as_of_date,
        i.shop_id,
        sum(i.sessions) as im_sessions,
        sum(i.replied_3min_sessions) as im_replied_3min_sessions,
        sum(i.rated_sessions) as im_rated_sessions,
        sum(i.satisfied_sessions) as im_satisfied_sessions
    from windows as w
    inner join im_daily as i
        on i.im_date >= w.window_start
       and i.im_date < w.as_of_date
    group by w.as_of_date, i.shop_id
),

counts as (
    select
        t.as_of_date,
        t.window_start,
        t.window_end,
        t.product_id,
        t.shop_id,
        t.category_id,
        t.product_updated_at,
        coalesce(o.paid_orders, 0) as paid_orders,
        cast(coalesce(o.gmv, 0) - coalesce(r.completed_refund_amount, 0) as decimal(18, 2)) as effective_gmv,
        coalesce(tr.exposures, 0) as exposures,
        coalesce(r.quality_refund_orders, 0) as quality_refund_orders,
        coalesce(rv.reviews, 0) as reviews,
        coalesce(rv.negative_product_reviews, 0) as negative_product_reviews,
        coalesce(o.in_stock_orders, 0) as in_stock_orders,
        coalesce(o.shipped_orders, 0) as shipped_orders,
        o.ship_hours_sum,
        coalesce(im.im_sessions, 0) as im_sessions,
        coalesce(im.im_replied_3min_sessions, 0) as im_replied_3min_sessions,
        coalesce(im.im_rated_sessions, 0) as im_rated_sessions,
        coalesce(im.im_satisfied_sessions, 0) as im_satisfied_sessions,
        coalesce(r.dispute_orders, 0) as dispute_orders,
        coalesce(r.merchant_completed_refunds, 0) as merchant_completed_refunds,
        r.merchant_complete_hours_sum
    from tiered_products as t
    left join orders_w as o on o.as_of_date = t.as_of_date and o.product_id = t.product_id
    left join refunds_w as r on r.as_of_date = t.as_of_date and r.product_id = t.product_id
    left join reviews_w as rv on rv.as_of_date = t.as_of_date and rv.product_id = t.product_id
    left join traffic_w as tr on tr.as_of_date = t.as_of_date and tr.product_id = t.product_id
    left join shop_im_w as im on im.as_of_date = t.as_of_date and im.shop_id = t.shop_id
),

final as (
    select
        c.as_of_date,
        c.window_start,
        c.window_end,
        c.product_id,
        c.shop_id,
        c.category_id,
        cp.leaf_level,
        cp.category_l3_id,
        cp.category_l2_id,
        cp.category_l1_id,
        cast(c.paid_orders as bigint) as paid_orders,
        c.effective_gmv,
        cast(c.exposures as bigint) as exposures,
        round({{ safe_divide('c.effective_gmv', 'c.exposures') }}, 6) as exposure_conversion,
        round({{ safe_divide('c.quality_refund_orders', 'c.paid_orders') }}, 6) as quality_refund_rate,
        round({{ safe_divide('c.negative_product_reviews', 'c.reviews') }}, 6) as negative_quality_review_rate,
        round({{ safe_divide('c.in_stock_orders', 'c.paid_orders') }}, 6) as in_stock_ratio,
        round({{ safe_divide('c.ship_hours_sum', 'c.shipped_orders') }}, 6) as avg_ship_hours,
        round({{ safe_divide('c.im_replied_3min_sessions', 'c.im_sessions') }}, 6) as im_reply_3min_rate,
        round({{ safe_divide('c.im_satisfied_sessions', 'c.im_rated_sessions') }}, 6) as im_satisfaction_rate,
        round({{ safe_divide('c.dispute_orders', 'c.paid_orders') }}, 6) as dispute_rate,
        round({{ safe_divide('c.merchant_complete_hours_sum', 'c.merchant_completed_refunds') }}, 6) as refund_self_complete_hours,
        c.paid_orders < p.min_orders_for_rates as is_low_sample,
        cast(c.quality_refund_orders as bigint) as quality_refund_orders,
        cast(c.reviews as bigint) as reviews,
        cast(c.negative_product_reviews as bigint) as negative_product_reviews,
        cast(c.dispute_orders as bigint) as dispute_orders,
        i.info_score,
        i.info_level,
        i.info_rank
    from counts as c
    cross join params as p
    left join category_paths as cp on cp.as_of_date = c.as_of_date and cp.category_id = c.category_id
    left join info_scores as i on i.product_id = c.product_id and i.updated_at = c.product_updated_at
)

select * from final
