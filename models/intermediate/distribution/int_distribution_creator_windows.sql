{{ config(materialized='table') }}
{#-
  分销 figures per (as_of_date D, window_days n, shop, creator) (spec 09 §2.1) for every
  as_of_date of the build, set-based: interval sums (macro interval_sums) of
  int_distribution_pair_daily cut to the window (a paid day d counts for D in d + 1 … d + n),
  never a join of the date spine to the days of the window. Distinct buyers: a buyer-day d of
  the pair, followed by the pair's next day n' with the same buyer, keeps the buyer counted for
  D in d + 1 … min(n', d + n) (disjoint per buyer, so summable).
  Rows: the pairs with at least one distributed order in W_n (islands of their paid days' windows
  joined to the build's as_of_dates).
-#}

{%- set measures = ['distributed_orders', 'distributed_buyers', 'live_orders', 'video_orders',
    'shelf_orders', 'gmv', 'estimated_commission', 'refunded_orders', 'refund_amount',
    'net_commission', 'settled_orders'] -%}

with spine as (
    select as_of_date from {{ as_of_dates() }} as s
),

windows as (
    select window_days from {{ ref('distribution_windows') }}
),

pair_daily as (
    select * from {{ ref('int_distribution_pair_daily') }}
),

buyer_days as (
    select distinct shop_id, creator_id, buyer_id, paid_date
    from {{ ref('int_distribution_orders') }}
),

buyer_day_next as (
    select
        *,
        lead(paid_date) over (partition by shop_id, creator_id, buyer_id order by paid_date)
            as next_paid_date
    from buyer_days
),

contributions as (
    select
        w.window_days,
        p.shop_id,
        p.creator_id,
        case when p.from_date > {{ add_days('p.paid_date', 1) }} then p.from_date
             else {{ add_days('p.paid_date', 1) }} end as from_date,
        case when p.to_date is not null
              and p.to_date < {{ add_days('p.paid_date', 'w.window_days') }}
             then p.to_date else {{ add_days('p.paid_date', 'w.window_days') }} end as to_date,
        p.distributed_orders,
        cast(0 as bigint) as distributed_buyers,
        {%- for m in measures[2:] %}
        p.{{ m }}{{ ',' if not loop.last }}
        {%- endfor %}
    from pair_daily as p
    cross join windows as w
    union all
    select
        w.window_days,
        b.shop_id,
        b.creator_id,
        {{ add_days('b.paid_date', 1) }},
        case when b.next_paid_date is not null
              and b.next_paid_date < {{ add_days('b.paid_date', 'w.window_days') }}
             then b.next_paid_date else {{ add_days('b.paid_date', 'w.window_days') }} end,
        cast(0 as bigint),
        cast(1 as bigint),
        {%- for m in measures[2:] %}
        0{{ ',' if not loop.last }}
        {%- endfor %}
    from buyer_day_next as b
    cross join windows as w
),

order_day_windows as (
    select distinct
        w.window_days,
        p.shop_id,
        p.creator_id,
        {{ add_days('p.paid_date', 1) }} as from_date,
        {{ add_days('p.paid_date', 'w.window_days') }} as to_date
    from pair_daily as p
    cross join windows as w
    where p.distributed_orders > 0
),

pair_islands as (
    {{ merged_intervals('order_day_windows', ['window_days', 'shop_id', 'creator_id']) }}
),

probes as (
    select i.window_days, i.shop_id, i.creator_id, s.as_of_date
    from pair_islands as i
    inner join spine as s on s.as_of_date between i.from_date and i.to_date
),

sums as (
    {#- buyer-days are much finer than a pair and day: net them first (integer / decimal sums) -#}
    {{ interval_sums('probes', 'contributions', ['window_days', 'shop_id', 'creator_id'],
                     measures, net_events=true) }}
),

final as (
    select
        as_of_date,
        window_days,
        {{ add_days('as_of_date', '-window_days') }} as window_start,
        {{ add_days('as_of_date', -1) }} as window_end,
        shop_id,
        creator_id,
        {%- for m in measures %}
        {%- if m in ['gmv', 'estimated_commission', 'refund_amount', 'net_commission'] %}
        cast({{ m }} as decimal(18, 2)) as {{ m }}{{ ',' if not loop.last }}
        {%- else %}
        cast({{ m }} as bigint) as {{ m }}{{ ',' if not loop.last }}
        {%- endif %}
        {%- endfor %}
    from sums
    where distributed_orders > 0
)

select * from final
