-- depends_on: {{ ref('base_landing__orders') }} {{ ref('base_landing__logistics_events') }}
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='paid_date') }}
{#- one row per staged order with its ship deadline and logistics milestones (first staged event
    of each type) -#}

with orders as {{ kscore.not_materialized() }} (
    select * from {{ ref('stg_landing__orders') }}
),

logistics as (
    select * from {{ ref('stg_landing__logistics_events') }}
),

{{ orders_in_scope('orders') }}

milestones as (
    select
        l.order_id,
        min(case when l.event_type = 'shipped' then l.event_at end) as shipped_at,
        min(case when l.event_type = 'collected' then l.event_at end) as collected_at,
        min(case when l.event_type = 'delivered' then l.event_at end) as delivered_at
    from logistics as l
    inner join orders_in_scope as o on o.order_id = l.order_id
    group by l.order_id
),

final as (
    select
        o.order_id,
        o.shop_id,
        o.product_id,
        o.buyer_id,
        o.creator_id,
        o.channel,
        o.live_session_id,
        o.video_id,
        o.quantity,
        o.pay_amount,
        o.commission_rate,
        o.promised_ship_hours,
        o.is_flash_purchase,
        o.is_presale,
        o.paid_at,
        o.paid_date,
        {{ add_hours('o.paid_at', 'o.promised_ship_hours') }} as ship_deadline_at,
        m.shipped_at,
        m.collected_at,
        m.delivered_at
    from orders_in_scope as o
    left join milestones as m on m.order_id = o.order_id
)

select * from final
