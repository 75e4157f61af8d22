{{ config(materialized='view') }}
{#-
  店铺体验分 window contributions per shop (spec 03): one row per daily figure (or refund
  version) with the as_of_date interval [from_date, to_date] it counts for and one column
  per measure (macros shop_experience_measures, contribution_columns), for
  int_experience_shop_indicators to sum per as_of_date (macro interval_sums). A daily row
  of day d counts for d + 1 … d + window_days (W30) or d + stability_window_days (W90); a
  refund version also only while it is in force. Independent of the as_of_dates: a view.
-#}

{%- set shop_measures = shop_experience_measures() %}

with orders_daily as {{ kscore.not_materialized() }} (
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

completed_refunds as {{ kscore.not_materialized() }} (
    select * from {{ ref('int_refunds_enriched') }}
    where is_completed
),

refund_order_flags as (
    select * from {{ ref('int_experience_shop_refund_flags') }}
),

params as (
    {{ seed_params('experience_params', [
        ('window_days', 'window_days', 'integer'),
        ('stability_window_days', 'stability_window_days', 'integer'),
    ]) }}
),

core_params as (
    {{ seed_params('core_params', [
        ('live_active_min_minutes', 'live_active_min_minutes'),
    ]) }}
),

{#- 有效动销天数: a paid day d of W90 stops counting while its refunded orders (in force for D)
    reach its paid orders. Per shop and paid day: the refunded-order count between consecutive
    change days, and the spans where it is >= the day's paid orders -#}
paid_days as (
    select shop_id, paid_date, sum(paid_orders) as paid_orders
    from orders_daily
    group by shop_id, paid_date
),

refunded_count_changes as (
    select shop_id, order_paid_date as paid_date, change_date, sum(delta) as delta
    from (
        select shop_id, order_paid_date, from_date as change_date, 1 as delta
        from refund_order_flags where flag = 'refunded'
        union all
        select shop_id, order_paid_date, {{ add_days('to_date', 1) }}, -1
        from refund_order_flags where flag = 'refunded'
    ) as changes
    group by shop_id, order_paid_date, change_date
),

refunded_count_spans as (
    select
        shop_id,
        paid_date,
        change_date as from_date,
        {{ add_days('lead(change_date) over (partition by shop_id, paid_date order by change_date)',
                    -1) }}
            as to_date,
        sum(delta) over (partition by shop_id, paid_date order by change_date
                         rows between unbounded preceding and current row) as refunded_orders
    from refunded_count_changes
),

final as (
    select
        o.shop_id,
        {{ add_days('o.paid_date', 1) }} as from_date,
        {{ add_days('o.paid_date', 'p.window_days') }} as to_date,
        {{ contribution_columns(shop_measures, {'paid_orders': 'o.paid_orders'}) }}
    from orders_daily as o
    cross join params as p
    union all
    -- pickup due by the end of D-1 (deadline_date < D): counts from the day after the deadline
    select
        o.shop_id,
        {{ add_days('case when o.deadline_date > o.paid_date then o.deadline_date'
                    ~ ' else o.paid_date end', 1) }},
        {{ add_days('o.paid_date', 'p.window_days') }},
        {{ contribution_columns(shop_measures, {
            'pickup_due_orders': 'o.paid_orders',
            'collected_on_time_orders': 'o.collected_on_time_orders'}) }}
    from orders_daily as o
    cross join params as p
    union all
    select
        o.shop_id,
        {{ add_days('o.delivered_date', 1) }},
        {{ add_days('o.delivered_date', 'p.window_days') }},
        {{ contribution_columns(shop_measures, {
            'delivered_orders': 'o.delivered_collected_orders',
            'delivery_hours_sum': 'o.delivery_hours_sum'}) }}
    from orders_daily as o
    cross join params as p
    where o.delivered_date is not null
    union all
    select
        shop_id, from_date, to_date,
        {{ contribution_columns(shop_measures, {'quality_refund_orders': '1'}) }}
    from refund_order_flags
    where flag = 'quality'
    union all
    -- a paid day of W90 is an effective sales day, except while its refunded orders reach its
    -- paid orders
    select
        d.shop_id,
        {{ add_days('d.paid_date', 1) }},
        {{ add_days('d.paid_date', 'p.stability_window_days') }},
        {{ contribution_columns(shop_measures, {'effective_sales_days': '1'}) }}
    from paid_days as d
    cross join params as p
    where d.paid_orders >= 1
    union all
    select
        s.shop_id, s.from_date, s.to_date,
        {{ contribution_columns(shop_measures, {'effective_sales_days': '-1'}) }}
    from refunded_count_spans as s
    inner join paid_days as d on d.shop_id = s.shop_id and d.paid_date = s.paid_date
    where d.paid_orders >= 1
      and d.paid_orders - s.refunded_orders < 1
    union all
    -- merchant-completed refunds, completed in W30 (completed_at on D-30 … D-1) and in force
    select
        r.shop_id,
        case when r.in_force_from > {{ add_days('r.completed_at', 1) }} then r.in_force_from
             else {{ add_days('r.completed_at', 1) }} end,
        case when r.in_force_to is null
               or r.in_force_to > {{ add_days('r.completed_at', 'p.window_days') }}
             then {{ add_days('r.completed_at', 'p.window_days') }} else r.in_force_to end,
        {{ contribution_columns(shop_measures, {
            'refund_only_completed': "case when r.refund_type = 'refund_only' then 1 else 0 end",
            'refund_only_hours_sum':
                "case when r.refund_type = 'refund_only' then r.complete_hours end",
            'return_refund_completed':
                "case when r.refund_type = 'return_refund' then 1 else 0 end",
            'return_refund_hours_sum':
                "case when r.refund_type = 'return_refund' then r.complete_hours end"}) }}
    from completed_refunds as r
    cross join params as p
    where r.is_merchant_completed
      and r.completed_at is not null
    union all
    select
        r.shop_id,
        {{ add_days('r.created_date', 1) }},
        {{ add_days('r.created_date', 'p.window_days') }},
        {{ contribution_columns(shop_measures, {
            'reviews': 'r.reviews', 'negative_product_reviews': 'r.negative_product_reviews',
            'negative_logistics_reviews': 'r.negative_logistics_reviews'}) }}
    from reviews_daily as r
    cross join params as p
    union all
    select
        i.shop_id,
        {{ add_days('i.im_date', 1) }},
        {{ add_days('i.im_date', 'p.window_days') }},
        {{ contribution_columns(shop_measures, {
            'im_sessions': 'i.sessions', 'im_replied_3min_sessions': 'i.replied_3min_sessions',
            'im_rated_sessions': 'i.rated_sessions',
            'im_unsatisfied_sessions': 'i.unsatisfied_sessions'}) }}
    from im_daily as i
    cross join params as p
    union all
    select
        l.shop_id,
        {{ add_days('l.live_date', 1) }},
        {{ add_days('l.live_date', 'p.stability_window_days') }},
        {{ contribution_columns(shop_measures, {
            'live_active_days': 'case when '
                ~ is_live_day('l.live_hours', 'cp.live_active_min_minutes')
                ~ ' then 1 else 0 end'}) }}
    from live_daily as l
    cross join params as p
    cross join core_params as cp
)

select * from final
