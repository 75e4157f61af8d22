-- depends_on: {{ ref('base_landing__orders') }} {{ ref('base_landing__logistics_events') }}
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='paid_date') }}
{#-
  分销 orders (spec 09 §2): one row per distributed order (creator_id set) with its commission
  (预估佣金) rounded per order: round_half_up(pay_amount × round_half_up(commission_rate, 6), 2),
  the product taken in decimals, and the day of its first `delivered` event. Incremental by paid day
  like int_orders_enriched (macro orders_in_scope: re-staged paid days and late logistics events).
-#}

with orders as {{ kscore.not_materialized() }} (
    select * from {{ ref('int_orders_enriched') }}
    where creator_id is not null
),

{{ orders_in_scope('orders') }}

rated as (
    select
        *,
        cast({{ round_half_up('commission_rate', 6) }} as decimal(18, 6)) as commission_rate_6
    from orders_in_scope
),

final as (
    select
        order_id,
        shop_id,
        creator_id,
        buyer_id,
        channel,
        paid_date,
        pay_amount,
        commission_rate_6 as commission_rate,
        cast({{ round_half_up('pay_amount * commission_rate_6', 2) }} as decimal(18, 2))
            as commission,
        cast(delivered_at as date) as delivered_date
    from rated
)

select * from final
