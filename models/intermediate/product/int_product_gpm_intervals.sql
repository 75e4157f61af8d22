{{ config(materialized='table') }}
{#-
  直播GPM / 短视频GPM contributions per product (spec 09 §3), as as_of_date
  intervals [from_date, to_date] for macro interval_sums: the figure counts for
  every as_of_date D of its interval (W30 = D-window_days … D-1).

  live   an order day d of a product in a landed live session counts its orders
         and GMV on [d+1, d+W]; the session's views count once per product
         while any of its orders of that session is in W30: the union of those
         intervals (macro merged_intervals) per (product, session).
  video  a video counts while it has a content row (type video) in W30, i.e.
         on the union of [dt+1, dt+W] over its rows. An order day counts on
         [d+1, d+W] intersected with that union; a content row's views count
         for a product on [dt+1, dt+W] intersected with the days the product
         has an order of that video in W30. Views are not split between the
         products of a room or video (spec 09 §3 [ours]).
-#}
{%- set measures = {
    'live_orders': 'bigint', 'live_gmv': 'decimal(18, 2)', 'live_views': 'bigint',
    'video_orders': 'bigint', 'video_gmv': 'decimal(18, 2)', 'video_views': 'bigint'} -%}

with gpm_daily as (
    select * from {{ ref('int_product_gpm_daily') }}
),

live_sessions as (
    select live_session_id, max(views) as views
    from {{ ref('stg_landing__live_sessions') }}
    group by live_session_id
),

video_stats as (
    select content_id as video_id, dt, views
    from {{ ref('stg_landing__content_daily_stats') }}
    where content_type = 'video'
),

params as (
    {{ seed_params('product_tier_params', [
        ('window_days', 'window_days', 'integer'),
    ]) }}
),

order_days as (
    select
        g.product_id,
        g.content_type,
        g.content_id,
        g.orders,
        g.gmv,
        {{ add_days('g.paid_date', 1) }} as from_date,
        {{ add_days('g.paid_date', 'p.window_days') }} as to_date
    from gpm_daily as g
    cross join params as p
),

live_order_days as (
    select o.*, s.views
    from order_days as o
    inner join live_sessions as s on s.live_session_id = o.content_id
    where o.content_type = 'live'
),

live_pair_intervals as (
    select product_id, content_id, from_date, to_date from live_order_days
),

live_pair_islands as (
    {{ merged_intervals('live_pair_intervals', ['product_id', 'content_id']) }}
),

video_pair_intervals as (
    select product_id, content_id, from_date, to_date from order_days where content_type = 'video'
),

video_pair_islands as (
    {{ merged_intervals('video_pair_intervals', ['product_id', 'content_id']) }}
),

video_row_intervals as (
    select
        v.video_id,
        v.views,
        {{ add_days('v.dt', 1) }} as from_date,
        {{ add_days('v.dt', 'p.window_days') }} as to_date
    from video_stats as v
    cross join params as p
),

video_islands as (
    {{ merged_intervals('video_row_intervals', ['video_id']) }}
),

final as (
    select
        product_id,
        from_date,
        to_date,
        {{ contribution_columns(measures, {'live_orders': 'orders', 'live_gmv': 'gmv'}) }}
    from live_order_days
    union all
    select
        l.product_id,
        l.from_date,
        l.to_date,
        {{ contribution_columns(measures, {'live_views': 's.views'}) }}
    from live_pair_islands as l
    inner join live_sessions as s on s.live_session_id = l.content_id
    union all
    select
        o.product_id,
        greatest(o.from_date, i.from_date),
        least(o.to_date, i.to_date),
        {{ contribution_columns(measures, {'video_orders': 'o.orders', 'video_gmv': 'o.gmv'}) }}
    from order_days as o
    inner join video_islands as i
        on i.video_id = o.content_id
       and i.from_date <= o.to_date
       and i.to_date >= o.from_date
    where o.content_type = 'video'
    union all
    select
        pi.product_id,
        greatest(pi.from_date, v.from_date),
        least(pi.to_date, v.to_date),
        {{ contribution_columns(measures, {'video_views': 'v.views'}) }}
    from video_pair_islands as pi
    inner join video_row_intervals as v
        on v.video_id = pi.content_id
       and v.from_date <= pi.to_date
       and v.to_date >= pi.from_date
)

select * from final
