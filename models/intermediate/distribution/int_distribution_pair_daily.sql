{{ config(materialized='table') }}
{#-
  分销 pre-aggregate per (shop, creator, paid day) (spec 09 §2), as contributions to window
  sums: rows keyed by (shop_id, creator_id, paid_date, from_date, to_date), where
  [from_date, to_date] (to_date NULL = open) are the as_of_dates the row's figures hold for,
  before the window W_n cuts them to [paid_date + 1, paid_date + n]:
  - the paid day's orders (from paid_date + 1): counts by channel, gmv, commission, net commission;
  - deliveries (from delivered day + 1: a `delivered` event before D): settled orders + 1;
  - refund spans (int_distribution_refund_spans): refunded orders + 1, the capped refunded
    amount and the net commission's change; a delivered order's settled − 1 while it is
    refunded after delivery.
  So a window sum needs no per-order join to the as_of_dates (DECISIONLOG: 分销 as_of refund state).
-#}

{%- set measures = {
    'distributed_orders': 'bigint', 'live_orders': 'bigint', 'video_orders': 'bigint',
    'shelf_orders': 'bigint', 'gmv': 'decimal(18, 2)', 'estimated_commission': 'decimal(18, 2)',
    'refunded_orders': 'bigint', 'refund_amount': 'decimal(18, 2)',
    'net_commission': 'decimal(18, 2)', 'settled_orders': 'bigint'} -%}

with orders as {{ kscore.not_materialized() }} (
    select * from {{ ref('int_distribution_orders') }}
),

refund_spans as {{ kscore.not_materialized() }} (
    select * from {{ ref('int_distribution_refund_spans') }}
),

contributions as (
    select
        shop_id, creator_id, paid_date,
        {{ add_days('paid_date', 1) }} as from_date,
        cast(null as date) as to_date,
        {{ contribution_columns(measures, {
            'distributed_orders': '1',
            'live_orders': "case when channel = 'creator_live' then 1 else 0 end",
            'video_orders': "case when channel = 'short_video' then 1 else 0 end",
            'shelf_orders': "case when channel = 'shelf' then 1 else 0 end",
            'gmv': 'pay_amount', 'estimated_commission': 'commission',
            'net_commission': 'commission'}) }}
    from orders
    union all
    select
        shop_id, creator_id, paid_date,
        {{ add_days('delivered_date', 1) }},
        cast(null as date),
        {{ contribution_columns(measures, {'settled_orders': '1'}) }}
    from orders
    where delivered_date is not null
    union all
    select
        shop_id, creator_id, paid_date, from_date, to_date,
        {{ contribution_columns(measures, {
            'refunded_orders': '1', 'refund_amount': 'refund_amount',
            'net_commission': 'net_commission_delta'}) }}
    from refund_spans
    union all
    select
        shop_id, creator_id, paid_date,
        case when from_date > {{ add_days('delivered_date', 1) }} then from_date
             else {{ add_days('delivered_date', 1) }} end,
        to_date,
        {{ contribution_columns(measures, {'settled_orders': '-1'}) }}
    from refund_spans
    where delivered_date is not null
      and (to_date is null or to_date >= {{ add_days('delivered_date', 1) }})
),

final as (
    select
        shop_id,
        creator_id,
        paid_date,
        from_date,
        to_date,
        {%- for m, t in measures.items() %}
        cast(sum({{ m }}) as {{ t }}) as {{ m }}{{ ',' if not loop.last }}
        {%- endfor %}
    from contributions
    group by shop_id, creator_id, paid_date, from_date, to_date
)

select * from final
