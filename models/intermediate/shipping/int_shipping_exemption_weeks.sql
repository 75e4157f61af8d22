{{ config(materialized='table') }}
{#-
  高现货 late-shipment exemption per (shop, natural data week) (spec 08): paid orders > 3000,
  committed-spot share > 70%, timely-ship rate >= 97% (seed shipping_params; ratios rounded to 6
  decimals before the comparison). The benefit week is the next natural week. Final once the benefit
  week's Monday is reached: only orders due before that Monday count for the timely-ship rate, and
  they are shipped (or not) by then.
-#}

with shop_daily as (
    select * from {{ ref('int_shipping_shop_daily') }}
),

params as (
    {{ seed_params('shipping_params', [
        ('exemption_min_paid_orders_exclusive', 'min_paid_orders_exclusive', 'double'),
        ('exemption_min_committed_spot_ratio_exclusive', 'min_committed_spot_ratio_exclusive',
            'double'),
        ('exemption_min_timely_ship_rate', 'min_timely_ship_rate', 'double'),
    ]) }}
),

weekly as (
    select
        shop_id,
        data_week_start,
        sum(paid_orders) as paid_orders,
        sum(committed_spot_orders) as committed_spot_orders,
        sum(due_orders) as due_orders,
        sum(timely_shipped_orders) as timely_shipped_orders
    from shop_daily
    group by shop_id, data_week_start
),

rates as (
    select
        *,
        {{ round_half_up(safe_divide('committed_spot_orders', 'paid_orders'),
            6) }} as committed_spot_ratio,
        {{ round_half_up(safe_divide('timely_shipped_orders', 'due_orders'),
            6) }} as timely_ship_rate
    from weekly
),

final as (
    select
        {{ add_days('r.data_week_start', 7) }} as benefit_week_start,
        r.data_week_start,
        r.shop_id,
        cast(r.paid_orders as bigint) as paid_orders,
        cast(r.committed_spot_orders as bigint) as committed_spot_orders,
        r.committed_spot_ratio,
        cast(r.due_orders as bigint) as due_orders,
        cast(r.timely_shipped_orders as bigint) as timely_shipped_orders,
        r.timely_ship_rate,
        coalesce(
            r.paid_orders > p.min_paid_orders_exclusive
            and r.committed_spot_ratio > p.min_committed_spot_ratio_exclusive
            and r.timely_ship_rate >= p.min_timely_ship_rate,
            false) as is_exempt
    from rates as r
    cross join params as p
)

select * from final
