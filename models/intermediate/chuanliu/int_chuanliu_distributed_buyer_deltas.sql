{{ config(materialized='table') }}
{#-
  Distinct distributed buyers over a trailing window, as per-shop day deltas.
  A buyer counts for as_of_date D when one of its distributed buyer-days d
  lies in D-W … D-1 (W = param distribution_window_days). Each buyer-day d,
  followed by the buyer's next buyer-day n, is the buyer's latest day for
  D in [d+1, n]; it keeps the buyer counted for D in [d+1, min(n, d+W)].
  These intervals are disjoint per buyer, so the distinct count at D is
  sum(buyers_delta where delta_date <= D) per shop: +1 at d+1, -1 at
  min(n, d+W) + 1. One pass over the buyer-day pre-aggregate, then any range
  of as_of_dates is a running sum (DECISIONLOG: distinct buyers over 180 days).
-#}

with buyer_days as (
    select * from {{ ref('int_chuanliu_distributed_buyer_days') }}
),

params as (
    {{ seed_params('chuanliu_params', [
        ('distribution_window_days', 'window_days', 'integer'),
    ]) }}
),

buyer_day_next as (
    select
        shop_id,
        buyer_id,
        paid_date,
        lead(paid_date) over (partition by shop_id, buyer_id order by paid_date) as next_paid_date
    from buyer_days
),

intervals as (
    select
        b.shop_id,
        {{ add_days('b.paid_date', 1) }} as counted_from,
        case when b.next_paid_date is not null
            and b.next_paid_date < {{ add_days('b.paid_date', 'p.window_days') }}
             then b.next_paid_date
             else {{ add_days('b.paid_date', 'p.window_days') }} end as counted_to
    from buyer_day_next as b
    cross join params as p
),

deltas as (
    select shop_id, counted_from as delta_date, 1 as buyers_delta from intervals
    union all
    select shop_id, {{ add_days('counted_to', 1) }} as delta_date, -1 as buyers_delta from intervals
),

final as (
    select
        shop_id,
        delta_date,
        sum(buyers_delta) as buyers_delta
    from deltas
    group by shop_id, delta_date
)

select * from final
