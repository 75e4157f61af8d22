{#-
  Generic data test exemption_distance_is_exact(seed): the 高现货 exemption distances
  (shop_exemption_distance_weekly) are exact against the bounds of the seed named `seed`
  (shipping_params), each figure scored as int_shipping_exemption_weeks scores it (the ratio
  safe_divide and round_half_up to 6 decimals before the comparison): adding the needed orders
  meets the bound and, when any are needed, one order fewer does not. Failing rows: those for
  which a distance is not exact.
-#}
{% test exemption_distance_is_exact(model, seed) %}
{%- set spot = 'committed_spot_orders + committed_spot_orders_needed' -%}
{%- set timely = 'timely_shipped_orders + timely_shipped_orders_needed' -%}
with tested as (
    select * from {{ model }}
),

p as (
    {{ kscore.seed_params(seed, [
        ('exemption_min_paid_orders_exclusive', 'min_paid', 'double'),
        ('exemption_min_committed_spot_ratio_exclusive', 'min_spot', 'double'),
        ('exemption_min_timely_ship_rate', 'min_timely', 'double'),
    ]) }}
),

probes as (
    select
        m.*,
        m.paid_orders + m.paid_orders_needed > p.min_paid as paid_met,
        m.paid_orders_needed = 0 or not (m.paid_orders + m.paid_orders_needed - 1 > p.min_paid)
            as paid_minimal,
        {{ kscore.round_half_up(kscore.safe_divide(spot, 'paid_orders'), 6) }} > p.min_spot
            as spot_met,
        m.committed_spot_orders_needed = 0
            or not ({{ kscore.round_half_up(kscore.safe_divide(spot ~ ' - 1', 'paid_orders'), 6) }}
                    > p.min_spot) as spot_minimal,
        case when m.due_orders = 0 then m.timely_shipped_orders_needed is null
             else {{ kscore.round_half_up(kscore.safe_divide(timely, 'due_orders'), 6) }}
                  >= p.min_timely
                  and (m.timely_shipped_orders_needed = 0
                       or not ({{ kscore.round_half_up(
                                  kscore.safe_divide(timely ~ ' - 1', 'due_orders'), 6) }}
                               >= p.min_timely))
                  and {{ timely }} <= m.due_orders
        end as timely_exact
    from tested as m
    cross join p
)

select *
from probes
where not coalesce(paid_met and paid_minimal and spot_met and spot_minimal and timely_exact, false)
{% endtest %}
