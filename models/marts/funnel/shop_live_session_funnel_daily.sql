{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  生意通 per live session (直播场次流量, spec 09 §1.2): one row per (as_of_date D, live session of host_type
  shop that started in D-N … D-1 and ended by D 00:00), N = funnel_params.session_window_days. The
  session's orders are its self_live orders of its host shop paid before D
  (int_funnel_session_orders_daily), less their refunds completed as of D-1
  (int_funnel_session_refunds: the version in force for D). Every figure is an interval sum (macro
  interval_sums): an order of paid day p counts from D = p + 1 on, a buyer from the day after her
  first order, a refund version while it is in force.
-#}
{%- set measures = {
    'paid_orders': 'bigint', 'paid_buyers': 'bigint', 'gmv': 'decimal(18, 2)',
    'refund_amount': 'decimal(18, 2)'} -%}

with spine as (
    select as_of_date from {{ as_of_dates() }} as s
),

sessions as (
    select * from {{ ref('stg_landing__live_sessions') }}
    where host_type = 'shop'
),

session_orders as {{ kscore.not_materialized() }} (
    select * from {{ ref('int_funnel_session_orders_daily') }}
),

session_refunds as (
    select * from {{ ref('int_funnel_session_refunds') }}
),

params as (
    {{ seed_params('funnel_params', [('session_window_days', 'session_window_days', 'integer')]) }}
),

{#- a session has a row on D from the day its end has passed (ended_at <= D 00:00) through its start
    day + N (started in D-N … D-1) -#}
session_spans as (
    select
        s.live_session_id,
        s.shop_id,
        s.started_at,
        s.ended_at,
        cast(s.started_at as date) as live_date,
        s.exposures,
        s.views,
        case when s.ended_at = cast(cast(s.ended_at as date) as timestamp)
             then cast(s.ended_at as date)
             else {{ add_days('cast(s.ended_at as date)', 1) }} end as first_as_of_date,
        {{ add_days('cast(s.started_at as date)', 'p.session_window_days') }} as last_as_of_date
    from sessions as s
    cross join params as p
),

session_probes as (
    select
        d.as_of_date,
        s.live_session_id,
        s.shop_id,
        s.started_at,
        s.ended_at,
        s.live_date,
        s.exposures,
        s.views
    from session_spans as s
    inner join spine as d
        on d.as_of_date >= s.first_as_of_date
       and d.as_of_date <= s.last_as_of_date
),

buyer_first_days as (
    select live_session_id, shop_id, buyer_id, min(paid_date) as first_paid_date
    from session_orders
    group by live_session_id, shop_id, buyer_id
),

session_contributions as (
    select
        live_session_id,
        shop_id,
        {{ add_days('paid_date', 1) }} as from_date,
        cast(null as date) as to_date,
        {{ contribution_columns(measures, {'paid_orders': 'paid_orders', 'gmv': 'gmv'}) }}
    from session_orders
    union all
    select
        live_session_id,
        shop_id,
        {{ add_days('first_paid_date', 1) }},
        cast(null as date),
        {{ contribution_columns(measures, {'paid_buyers': '1'}) }}
    from buyer_first_days
    union all
    -- in force for D (completed as of D-1), and only once its order counts (paid before D)
    select
        live_session_id,
        shop_id,
        case when in_force_from > {{ add_days('order_paid_date', 1) }} then in_force_from
             else {{ add_days('order_paid_date', 1) }} end,
        in_force_to,
        {{ contribution_columns(measures, {'refund_amount': 'refund_amount'}) }}
    from session_refunds
),

session_sums as (
    {{ interval_sums('session_probes', 'session_contributions', ['live_session_id', 'shop_id'],
        measures.keys() | list,
        carry=['started_at', 'ended_at', 'live_date', 'exposures', 'views']) }}
),

figures as (
    select
        as_of_date,
        live_session_id,
        shop_id,
        started_at,
        ended_at,
        live_date,
        {{ round_half_up(hours_between('started_at', 'ended_at'), 6) }} as live_hours,
        cast(exposures as bigint) as room_exposures,
        cast(views as bigint) as views,
        cast(coalesce(paid_orders, 0) as bigint) as paid_orders,
        cast(coalesce(paid_buyers, 0) as bigint) as paid_buyers,
        cast(coalesce(gmv, 0) as decimal(18, 2)) as gmv,
        cast(coalesce(refund_amount, 0) as decimal(18, 2)) as refund_amount
    from session_sums
),

final as (
    select
        as_of_date,
        live_session_id,
        shop_id,
        started_at,
        ended_at,
        live_date,
        live_hours,
        room_exposures,
        views,
        {{ round_half_up(safe_divide('views', 'room_exposures'), 6) }} as view_rate,
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
