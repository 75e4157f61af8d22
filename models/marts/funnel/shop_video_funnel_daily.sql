{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  生意通 per short video (短视频作品流量, spec 09 §1.3): one row per (as_of_date D, video with a content row
  of content_type video and author_type shop in W = D-N … D-1), N = funnel_params.video_window_days.
  Its shop is the author of its latest such row; its figures are Σ over those rows. Its orders are
  the short_video orders without creator of that shop paid in W (int_funnel_video_orders_daily),
  less their refunds completed as of D-1 (int_funnel_video_refunds). Every figure is an interval sum
  (macro interval_sums): a content row or order of day d counts for D = d + 1 … d + N.
-#}
{%- set content_measures = {
    'active_days': 'bigint', 'views': 'bigint', 'interactions': 'bigint',
    'negative_feedbacks': 'bigint'} -%}
{%- set order_measures = {
    'paid_orders': 'bigint', 'paid_buyers': 'bigint', 'gmv': 'decimal(18, 2)',
    'refund_amount': 'decimal(18, 2)'} -%}

with spine as (
    select as_of_date from {{ as_of_dates() }} as s
),

video_content as {{ kscore.not_materialized() }} (
    select * from {{ ref('int_funnel_video_daily') }}
),

video_orders as {{ kscore.not_materialized() }} (
    select * from {{ ref('int_funnel_video_orders_daily') }}
),

video_refunds as (
    select * from {{ ref('int_funnel_video_refunds') }}
),

params as (
    {{ seed_params('funnel_params', [('video_window_days', 'window_days', 'integer')]) }}
),

first_seen as (
    select video_id, min(dt) as first_seen_dt
    from video_content
    group by video_id
),

{#- a shop row of day d is the video's latest for D = d + 1 … its next shop row's day, and in W
    while D <= d + N: the spans are disjoint, and their union is every D on which the video has a
    row -#}
shop_rows as (
    select
        c.*,
        lead(c.dt) over (partition by c.video_id order by c.dt) as next_dt,
        p.window_days
    from video_content as c
    cross join params as p
    where c.author_type = 'shop'
),

video_probes as (
    select
        d.as_of_date,
        r.video_id,
        r.author_id as shop_id,
        f.first_seen_dt
    from shop_rows as r
    inner join first_seen as f on f.video_id = r.video_id
    inner join spine as d
        on d.as_of_date >= {{ add_days('r.dt', 1) }}
       and d.as_of_date <= {{ add_days('r.dt', 'r.window_days') }}
       and (r.next_dt is null or d.as_of_date <= r.next_dt)
),

content_contributions as (
    select
        video_id,
        {{ add_days('dt', 1) }} as from_date,
        {{ add_days('dt', 'window_days') }} as to_date,
        {{ contribution_columns(content_measures, {
            'active_days': '1', 'views': 'views', 'interactions': 'interactions',
            'negative_feedbacks': 'negative_feedbacks'}) }}
    from shop_rows
),

content_sums as (
    {{ interval_sums('video_probes', 'content_contributions', ['video_id'],
        content_measures.keys() | list,
        carry=['shop_id', 'first_seen_dt']) }}
),

{#- a buyer counts once while any of her orders is in W: her order days' windows merged per
    video -#}
buyer_windows as (
    select
        o.video_id,
        o.shop_id,
        o.buyer_id,
        {{ add_days('o.paid_date', 1) }} as from_date,
        {{ add_days('o.paid_date', 'p.window_days') }} as to_date
    from video_orders as o
    cross join params as p
),

buyer_islands as (
    {{ merged_intervals('buyer_windows', ['video_id', 'shop_id', 'buyer_id']) }}
),

order_contributions as (
    select
        o.video_id,
        o.shop_id,
        {{ add_days('o.paid_date', 1) }} as from_date,
        {{ add_days('o.paid_date', 'p.window_days') }} as to_date,
        {{ contribution_columns(order_measures, {'paid_orders': 'o.paid_orders', 'gmv': 'o.gmv'}) }}
    from video_orders as o
    cross join params as p
    union all
    select
        video_id,
        shop_id,
        from_date,
        to_date,
        {{ contribution_columns(order_measures, {'paid_buyers': '1'}) }}
    from buyer_islands
    union all
    -- in force for D (completed as of D-1), and only while its order is in W
    select
        r.video_id,
        r.shop_id,
        case when r.in_force_from > {{ add_days('r.order_paid_date', 1) }} then r.in_force_from
             else {{ add_days('r.order_paid_date', 1) }} end,
        case when r.in_force_to is null
                  or r.in_force_to > {{ add_days('r.order_paid_date', 'p.window_days') }}
             then {{ add_days('r.order_paid_date', 'p.window_days') }} else r.in_force_to end,
        {{ contribution_columns(order_measures, {'refund_amount': 'r.refund_amount'}) }}
    from video_refunds as r
    cross join params as p
),

order_sums as (
    {{ interval_sums('content_sums', 'order_contributions', ['video_id', 'shop_id'],
        order_measures.keys() | list, carry=['first_seen_dt'] + (content_measures.keys() | list)) }}
),

figures as (
    select
        as_of_date,
        video_id,
        shop_id,
        first_seen_dt,
        cast(coalesce(active_days, 0) as bigint) as active_days,
        cast(coalesce(views, 0) as bigint) as views,
        cast(coalesce(interactions, 0) as bigint) as interactions,
        cast(coalesce(negative_feedbacks, 0) as bigint) as negative_feedbacks,
        cast(coalesce(paid_orders, 0) as bigint) as paid_orders,
        cast(coalesce(paid_buyers, 0) as bigint) as paid_buyers,
        cast(coalesce(gmv, 0) as decimal(18, 2)) as gmv,
        cast(coalesce(refund_amount, 0) as decimal(18, 2)) as refund_amount
    from order_sums
),

final as (
    select
        as_of_date,
        video_id,
        shop_id,
        first_seen_dt,
        active_days,
        views,
        interactions,
        negative_feedbacks,
        {{ round_half_up(safe_divide('interactions', 'views'), 6) }} as interaction_rate,
        {{ round_half_up(safe_divide('negative_feedbacks', 'views'), 6) }}
            as negative_feedback_rate,
        paid_orders,
        paid_buyers,
        gmv,
        refund_amount,
        cast(gmv - refund_amount as decimal(18, 2)) as effective_gmv,
        {{ round_half_up(safe_divide('paid_orders', 'views'), 6) }} as order_per_view,
        cast({{ round_half_up(safe_divide('1000 * gmv', 'views'), 2) }} as decimal(18, 2)) as gpm,
        cast(rank() over (partition by as_of_date, shop_id order by gmv desc) as integer)
            as gmv_rank_in_shop
    from figures
)

select * from final
