{{ config(materialized='table') }}
{#-
  Shop-level 分销 figures that are not sums of the creator rows (spec 09 §2.2), per (as_of_date D,
  window_days n, shop active as of D-1), set-based by interval sums (macro interval_sums):
  distinct distributed buyers over all creators (a buyer-day d, followed by the shop's next day n'
  with the same buyer, counts for D in d + 1 … min(n', d + n)), shop_gmv (all the shop's orders paid
  in W_n: d + 1 … d + n) and prev_gmv (distributed GMV paid in D-2n … D-n-1: d + n + 1 … d + 2n).
  The shop's distribution_enabled (开通快分销: distribution_enabled_at < D) rides along.
-#}

with spine as (
    select as_of_date from {{ as_of_dates() }} as s
),

windows as (
    select window_days from {{ ref('distribution_windows') }}
),

shops as (
    select * from {{ ref('stg_landing__shops') }}
),

shop_daily as {{ kscore.not_materialized() }} (
    select * from {{ ref('int_distribution_shop_daily') }}
),

buyer_days as (
    select distinct shop_id, buyer_id, paid_date
    from {{ ref('int_distribution_orders') }}
),

buyer_day_next as (
    select
        *,
        lead(paid_date) over (partition by shop_id, buyer_id order by paid_date) as next_paid_date
    from buyer_days
),

probes as (
    select
        w.window_days,
        sh.shop_id,
        s.as_of_date,
        coalesce(sh.distribution_enabled_at < cast(s.as_of_date as timestamp), false)
            as distribution_enabled
    from spine as s
    inner join shops as sh on {{ version_in_force('sh', 's.as_of_date') }}
    cross join windows as w
    where sh.status = 'active'
),

contributions as (
    select
        w.window_days,
        d.shop_id,
        {{ add_days('d.paid_date', 1) }} as from_date,
        {{ add_days('d.paid_date', 'w.window_days') }} as to_date,
        cast(0 as bigint) as distributed_buyers,
        d.shop_gmv,
        cast(0 as decimal(18, 2)) as prev_gmv
    from shop_daily as d
    cross join windows as w
    union all
    select
        w.window_days,
        d.shop_id,
        {{ add_days('d.paid_date', 'w.window_days + 1') }},
        {{ add_days('d.paid_date', '2 * w.window_days') }},
        cast(0 as bigint),
        cast(0 as decimal(18, 2)),
        d.distributed_gmv
    from shop_daily as d
    cross join windows as w
    where d.distributed_gmv <> 0
    union all
    select
        w.window_days,
        b.shop_id,
        {{ add_days('b.paid_date', 1) }},
        case when b.next_paid_date is not null
              and b.next_paid_date < {{ add_days('b.paid_date', 'w.window_days') }}
             then b.next_paid_date else {{ add_days('b.paid_date', 'w.window_days') }} end,
        cast(1 as bigint),
        cast(0 as decimal(18, 2)),
        cast(0 as decimal(18, 2))
    from buyer_day_next as b
    cross join windows as w
),

{#- buyer-days are much finer than a shop and day: net them first (integer / decimal sums) -#}
sums as (
    {{ interval_sums('probes', 'contributions', ['window_days', 'shop_id'],
                     ['distributed_buyers', 'shop_gmv', 'prev_gmv'],
                     carry=['distribution_enabled'], net_events=true) }}
),

final as (
    select
        as_of_date,
        window_days,
        shop_id,
        distribution_enabled,
        cast(coalesce(distributed_buyers, 0) as bigint) as distributed_buyers,
        cast(coalesce(shop_gmv, 0) as decimal(18, 2)) as shop_gmv,
        cast(coalesce(prev_gmv, 0) as decimal(18, 2)) as prev_gmv
    from sums
)

select * from final
