{{ config(materialized='table') }}
{#-
  带货口碑分 indicators in long form (spec 04): one row per as_of_date × creator
  × indicator with value, numerator and denominator, for every as_of_date of
  the build set-based over W30 = D-30 … D-1 (seed reputation_params).
  Who: creators with a distribution order paid in W30 or a content row (as
  author) in W30. "The creator's orders" are the orders with this creator_id
  paid in W30; their reviews count when created before D; refunds are the
  version in force for D; creator_level is the creator's version in force.
  Fewer than min_orders_scored distribution orders = 成长期 (is_scored false).
-#}

with spine as (
    select as_of_date from {{ as_of_dates() }} as s
),

creators as (
    select * from {{ ref('stg_landing__creators') }}
),

orders_daily as (
    select * from {{ ref('int_reputation_creator_orders_daily') }}
),

reviews_daily as (
    select * from {{ ref('int_reputation_creator_reviews_daily') }}
),

content_daily as (
    select * from {{ ref('int_reputation_creator_content_daily') }}
),

creator_refunds as (
    select * from {{ ref('int_refunds_enriched') }}
    where creator_id is not null
      and ((is_completed and is_quality_reason) or platform_intervened)
),

params as (
    select
        cast(max(case when param = 'window_days' then value end) as integer) as window_days,
        max(case when param = 'min_orders_scored' then value end) as min_orders_scored
    from {{ ref('reputation_params') }}
),

windows as (
    select
        s.as_of_date,
        {{ add_days('s.as_of_date', '-p.window_days') }} as window_start
    from spine as s
    cross join params as p
),

orders_w as (
    select
        w.as_of_date,
        o.creator_id,
        sum(o.distribution_orders) as distribution_orders,
        sum(case when o.deadline_date < w.as_of_date then o.distribution_orders else 0 end) as ship_due_orders,
        sum(case when o.deadline_date < w.as_of_date then o.shipped_on_time_orders else 0 end)
            as shipped_on_time_orders
    from windows as w
    inner join orders_daily as o
        on o.paid_date >= w.window_start
       and o.paid_date < w.as_of_date
    group by w.as_of_date, o.creator_id
),

content_w as (
    select
        w.as_of_date,
        c.creator_id,
        sum(c.views) as views,
        sum(c.interactions) as interactions,
        sum(c.negative_feedbacks) as negative_feedbacks,
        sum(c.false_claim_reports) as false_claim_reports
    from windows as w
    inner join content_daily as c
        on c.stat_date >= w.window_start
       and c.stat_date < w.as_of_date
    group by w.as_of_date, c.creator_id
),

scored_creators as (
    select as_of_date, creator_id from orders_w
    union
    select as_of_date, creator_id from content_w
),

creator_levels as (
    select
        s.as_of_date,
        s.creator_id,
        c.creator_level
    from scored_creators as s
    left join creators as c
        on c.creator_id = s.creator_id
       and {{ version_in_force('c', 's.as_of_date') }}
),

reviews_w as (
    select
        w.as_of_date,
        r.creator_id,
        sum(r.reviews) as reviews,
        sum(r.negative_product_reviews) as negative_product_reviews,
        sum(r.negative_service_reviews) as negative_service_reviews
    from windows as w
    inner join reviews_daily as r
        on r.order_paid_date >= w.window_start
       and r.order_paid_date < w.as_of_date
       and r.created_date < w.as_of_date
    group by w.as_of_date, r.creator_id
),

refund_orders as (
    select
        w.as_of_date,
        r.creator_id,
        r.order_id,
        max(case when r.is_completed and r.is_quality_reason then 1 else 0 end) as has_quality_refund,
        max(case when r.platform_intervened then 1 else 0 end) as has_dispute
    from windows as w
    inner join creator_refunds as r
        on r.order_paid_date >= w.window_start
       and r.order_paid_date < w.as_of_date
       and r.in_force_from <= w.as_of_date
       and (r.in_force_to is null or r.in_force_to >= w.as_of_date)
    group by w.as_of_date, r.creator_id, r.order_id
),

refunds_w as (
    select
        as_of_date,
        creator_id,
        sum(has_quality_refund) as quality_refund_orders,
        sum(has_dispute) as dispute_orders
    from refund_orders
    group by as_of_date, creator_id
),

counts as (
    select
        c.as_of_date,
        c.creator_id,
        c.creator_level,
        cast(coalesce(o.distribution_orders, 0) as bigint) as distribution_orders_30d,
        coalesce(ct.views, 0) as views,
        coalesce(ct.interactions, 0) as interactions,
        coalesce(ct.negative_feedbacks, 0) as negative_feedbacks,
        coalesce(ct.false_claim_reports, 0) as false_claim_reports,
        coalesce(rf.quality_refund_orders, 0) as quality_refund_orders,
        coalesce(rf.dispute_orders, 0) as dispute_orders,
        coalesce(rv.reviews, 0) as reviews,
        coalesce(rv.negative_product_reviews, 0) as negative_product_reviews,
        coalesce(rv.negative_service_reviews, 0) as negative_service_reviews,
        coalesce(o.ship_due_orders, 0) as ship_due_orders,
        coalesce(o.shipped_on_time_orders, 0) as shipped_on_time_orders,
        coalesce(o.distribution_orders, 0) >= p.min_orders_scored as is_scored
    from creator_levels as c
    cross join params as p
    left join orders_w as o on o.as_of_date = c.as_of_date and o.creator_id = c.creator_id
    left join content_w as ct on ct.as_of_date = c.as_of_date and ct.creator_id = c.creator_id
    left join refunds_w as rf on rf.as_of_date = c.as_of_date and rf.creator_id = c.creator_id
    left join reviews_w as rv on rv.as_of_date = c.as_of_date and rv.creator_id = c.creator_id
),

{%- set indicators = [
    ('content_negative_feedback_rate', 'negative_feedbacks', 'views'),
    ('false_claim_report_rate', 'false_claim_reports', 'views'),
    ('interaction_rate', 'interactions', 'views'),
    ('quality_refund_rate', 'quality_refund_orders', 'distribution_orders_30d'),
    ('negative_product_review_rate', 'negative_product_reviews', 'reviews'),
    ('timely_ship_rate', 'shipped_on_time_orders', 'ship_due_orders'),
    ('dispute_rate', 'dispute_orders', 'distribution_orders_30d'),
    ('negative_service_review_rate', 'negative_service_reviews', 'reviews'),
] %}

final as (
    {%- for name, num, den in indicators %}
    select
        as_of_date,
        creator_id,
        creator_level,
        distribution_orders_30d,
        is_scored,
        {{ kscore.sql_string(name) }} as indicator,
        round({{ safe_divide(num, den) }}, 6) as value,
        cast({{ num }} as double) as numerator,
        cast({{ den }} as double) as denominator
    from counts
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select * from final
