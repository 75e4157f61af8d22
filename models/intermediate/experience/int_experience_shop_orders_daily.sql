-- depends_on: {{ ref('base_landing__orders') }} {{ ref('base_landing__logistics_events') }}
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='paid_date') }}
{#-
  Orders per shop × paid day × ship-deadline day × delivered day (店铺体验分
  pre-aggregate, spec 03): paid orders, the orders collected by their ship
  deadline (综合揽收及时率) and, for orders with both a `collected` and a
  `delivered` event, the collected → delivered hours (订单配送时长).
  deadline_date is the local day of paid_at + promised_ship_hours: the deadline
  has passed by the end of D-1 exactly when deadline_date < D. delivered_date
  is the local day of the first `delivered` event (NULL = not delivered).
  Recomputes the paid days the core model int_orders_enriched recomputes.
-#}

with orders as (
    select * from {{ ref('int_orders_enriched') }}
),

{{ orders_in_scope('orders') }}

final as (
    select
        shop_id,
        paid_date,
        cast(ship_deadline_at as date) as deadline_date,
        cast(delivered_at as date) as delivered_date,
        count(*) as paid_orders,
        sum(case when collected_at is not null and collected_at <= ship_deadline_at then 1
            else 0 end)
            as collected_on_time_orders,
        sum(case when collected_at is not null and delivered_at is not null then 1 else 0 end)
            as delivered_collected_orders,
        sum(case when collected_at is not null and delivered_at is not null
                 then {{ hours_between('collected_at', 'delivered_at') }} end) as delivery_hours_sum
    from orders_in_scope
    group by shop_id, paid_date, cast(ship_deadline_at as date), cast(delivered_at as date)
)

select * from final
