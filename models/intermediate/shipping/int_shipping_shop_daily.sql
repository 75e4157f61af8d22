-- depends_on: {{ ref('base_landing__orders') }} {{ ref('base_landing__logistics_events') }}
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='paid_date') }}
{#-
  Shipping facts per shop and paid day for the 高现货 exemption (spec 08): paid orders, committed-spot
  orders (promise in seed shipping_committed_spot_hours, flash-purchase never), orders due before
  the Monday after the paid day's natural week (the benefit week's Monday) and those shipped by
  their deadline.
-#}

with orders as (
    select * from {{ ref('int_orders_enriched') }}
),

{{ orders_in_scope('orders') }}

committed_spot_hours as (
    select * from {{ ref('shipping_committed_spot_hours') }}
),

order_facts as (
    select
        o.shop_id,
        o.paid_date,
        cast({{ dbt.date_trunc('week', 'o.paid_date') }} as date) as data_week_start,
        o.ship_deadline_at,
        o.shipped_at,
        (coalesce(c.is_committed_spot, false) and not o.is_flash_purchase) as is_committed_spot
    from orders_in_scope as o
    left join committed_spot_hours as c on c.promised_ship_hours = o.promised_ship_hours
),

final as (
    select
        shop_id,
        paid_date,
        data_week_start,
        count(*) as paid_orders,
        sum(case when is_committed_spot then 1 else 0 end) as committed_spot_orders,
        sum(case when ship_deadline_at < cast({{ add_days('data_week_start', 7) }} as timestamp)
            then 1 else 0 end) as due_orders,
        sum(case when ship_deadline_at < cast({{ add_days('data_week_start', 7) }} as timestamp)
                  and shipped_at <= ship_deadline_at then 1 else 0 end) as timely_shipped_orders
    from order_facts
    group by shop_id, paid_date, data_week_start
)

select * from final
