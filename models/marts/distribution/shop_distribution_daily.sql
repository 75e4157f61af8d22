{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  效果数据概览 (spec 09 §2.2): per (as_of_date D, window W_n of seed distribution_windows, shop
  active as of D-1): the additive figures summed over the shop's creator rows
  (int_distribution_creator_windows, the rows of 2.1), distinct buyers, shop GMV and the previous
  window's distributed GMV (int_distribution_shop_windows), 环比 as in 09 §1.1 (NULL unless both
  windows start on or after history_start, the earliest dt of any staged order), and the top
  creator (ties: smallest creator_id). A shop without distributed orders gets zeros and NULL
  rates.
-#}

{%- set additive = ['distributed_orders', 'live_orders', 'video_orders', 'shelf_orders', 'gmv',
    'estimated_commission', 'refunded_orders', 'refund_amount', 'net_commission',
    'settled_orders'] -%}

with shop_windows as (
    select * from {{ ref('int_distribution_shop_windows') }}
),

creator_windows as (
    select * from {{ ref('int_distribution_creator_windows') }}
),

history as (
    select min(dt) as history_start from {{ ref('stg_landing__orders') }}
),

creator_sums as (
    select
        as_of_date,
        window_days,
        shop_id,
        count(*) as cooperating_creators,
        {%- for m in additive %}
        sum({{ m }}) as {{ m }}{{ ',' if not loop.last }}
        {%- endfor %}
    from creator_windows
    group by as_of_date, window_days, shop_id
),

top_creators as (
    select as_of_date, window_days, shop_id, creator_id as top_creator_id, gmv as top_creator_gmv
    from (
        select
            *,
            row_number() over (partition by as_of_date, window_days, shop_id
                               order by gmv desc, creator_id asc) as gmv_position
        from creator_windows
    ) as ranked
    where gmv_position = 1
),

joined as (
    select
        sw.as_of_date,
        sw.window_days,
        {{ add_days('sw.as_of_date', '-sw.window_days') }} as window_start,
        {{ add_days('sw.as_of_date', -1) }} as window_end,
        {{ add_days('sw.as_of_date', '-2 * sw.window_days') }} as prev_start,
        sw.shop_id,
        sw.distribution_enabled,
        coalesce(cs.cooperating_creators, 0) as cooperating_creators,
        sw.distributed_buyers,
        {%- for m in additive %}
        coalesce(cs.{{ m }}, 0) as {{ m }},
        {%- endfor %}
        sw.shop_gmv,
        sw.prev_gmv,
        tc.top_creator_id,
        tc.top_creator_gmv,
        h.history_start
    from shop_windows as sw
    cross join history as h
    left join creator_sums as cs
        on cs.as_of_date = sw.as_of_date and cs.window_days = sw.window_days
       and cs.shop_id = sw.shop_id
    left join top_creators as tc
        on tc.as_of_date = sw.as_of_date and tc.window_days = sw.window_days
       and tc.shop_id = sw.shop_id
),

final as (
    select
        as_of_date,
        cast(window_days as integer) as window_days,
        window_start,
        window_end,
        shop_id,
        distribution_enabled,
        cast(cooperating_creators as bigint) as cooperating_creators,
        cast(distributed_orders as bigint) as distributed_orders,
        cast(distributed_buyers as bigint) as distributed_buyers,
        cast(live_orders as bigint) as live_orders,
        cast(video_orders as bigint) as video_orders,
        cast(shelf_orders as bigint) as shelf_orders,
        cast(gmv as decimal(18, 2)) as gmv,
        cast(estimated_commission as decimal(18, 2)) as estimated_commission,
        {{ round_half_up(safe_divide('estimated_commission', 'gmv'), 6) }} as avg_commission_rate,
        cast(refunded_orders as bigint) as refunded_orders,
        cast(refund_amount as decimal(18, 2)) as refund_amount,
        {{ round_half_up(safe_divide('refunded_orders', 'distributed_orders'), 6) }} as refund_rate,
        cast(gmv - refund_amount as decimal(18, 2)) as net_gmv,
        cast(net_commission as decimal(18, 2)) as net_commission,
        cast(settled_orders as bigint) as settled_orders,
        shop_gmv,
        {{ round_half_up(safe_divide('gmv', 'shop_gmv'), 6) }} as distribution_gmv_share,
        prev_gmv,
        case when window_start >= history_start and prev_start >= history_start
             then {{ round_half_up(safe_divide('gmv - prev_gmv', 'prev_gmv'), 6) }}
        end as gmv_change,
        top_creator_id,
        {{ round_half_up(safe_divide('top_creator_gmv', 'gmv'), 6) }} as top_creator_gmv_share
    from joined
)

select * from final
