-- depends_on: {{ ref('base_landing__orders') }} {{ ref('base_landing__logistics_events') }}
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='paid_date') }}
{#-
  Distribution orders per creator × paid day × ship-deadline day (带货口碑分
  pre-aggregate, spec 04): the orders with this creator_id, and those
  `shipped` by paid_at + promised_ship_hours (发货及时率). deadline_date < D
  means the deadline has passed by the end of D-1. Recomputes the paid days
  the core model int_orders_enriched recomputes.
-#}

with orders as (
    select * from {{ ref('int_orders_enriched') }}
    where creator_id is not null
),

{{ orders_in_scope('orders') }}

final as (
    select
        creator_id,
        paid_date,
        cast(ship_deadline_at as date) as deadline_date,
        count(*) as distribution_orders,
        sum(case when shipped_at is not null and shipped_at <= ship_deadline_at then 1 else 0 end)
            as shipped_on_time_orders
    from orders_in_scope
    group by creator_id, paid_date, cast(ship_deadline_at as date)
)

select * from final
