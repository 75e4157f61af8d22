{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  高现货 late-shipment exemption: how far the shop is from each bound this week (spec 08; issue 13
  point 3). One row per as_of_date D x shop of shop_ship_exemption_weekly for the benefit week that
  contains D (its latest benefit_week_start <= D; its data week is the natural week before). Each
  bound is measured alone, the other figures of the data week held fixed (seed shipping_params):
  paid orders still needed to be > the minimum; committed-spot orders needed, at the week's paid
  orders, for the share to be > its minimum; timely-shipped orders needed, at the week's due
  orders, for the rate to be >= its minimum (NULL when no order was due). 0 = the bound is met.
  Bounds are read as decimals so the order counts are exact.
-#}

with exemption_weeks as (
    select * from {{ ref('shop_ship_exemption_weekly') }}
    where {{ in_build_range('as_of_date') }}
),

params as (
    {{ seed_params('shipping_params', [
        ('exemption_min_paid_orders_exclusive', 'min_paid_orders_exclusive', 'bigint'),
        ('exemption_min_committed_spot_ratio_exclusive', 'min_committed_spot_ratio_exclusive',
         'decimal(18, 6)'),
        ('exemption_min_timely_ship_rate', 'min_timely_ship_rate', 'decimal(18, 6)'),
    ]) }}
),

this_week as (
    select w.*
    from exemption_weeks as w
    where w.benefit_week_start = (
        select max(x.benefit_week_start) from exemption_weeks as x
        where x.as_of_date = w.as_of_date)
),

bounds as (
    select
        w.*,
        p.min_paid_orders_exclusive + 1 as paid_orders_bound,
        cast(floor(p.min_committed_spot_ratio_exclusive * w.paid_orders) as bigint) + 1
            as committed_spot_orders_bound,
        case when w.due_orders > 0
             then cast(ceil(p.min_timely_ship_rate * w.due_orders) as bigint) end
            as timely_shipped_orders_bound,
        p.min_committed_spot_ratio_exclusive,
        p.min_timely_ship_rate
    from this_week as w
    cross join params as p
),

final as (
    select
        as_of_date,
        benefit_week_start,
        data_week_start,
        shop_id,
        is_exempt,
        paid_orders,
        cast(paid_orders_bound as bigint) as paid_orders_bound,
        cast(greatest(paid_orders_bound - paid_orders, 0) as bigint) as paid_orders_needed,
        committed_spot_orders,
        committed_spot_ratio,
        committed_spot_orders_bound,
        cast(greatest(committed_spot_orders_bound - committed_spot_orders, 0) as bigint)
            as committed_spot_orders_needed,
        {{ round_half_up(
            'cast(min_committed_spot_ratio_exclusive as double) - committed_spot_ratio', 6) }}
            as committed_spot_ratio_gap,
        due_orders,
        timely_shipped_orders,
        timely_ship_rate,
        timely_shipped_orders_bound,
        case when timely_shipped_orders_bound is not null then
            cast(greatest(timely_shipped_orders_bound - timely_shipped_orders, 0) as bigint) end
            as timely_shipped_orders_needed,
        {{ round_half_up('cast(min_timely_ship_rate as double) - timely_ship_rate', 6) }}
            as timely_ship_rate_gap
    from bounds
)

select * from final
