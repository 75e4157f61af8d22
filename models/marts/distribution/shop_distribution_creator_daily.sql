{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  合作达人数据 (spec 09 §2.1): per (as_of_date D, window W_n of seed distribution_windows, shop, creator)
  with at least one distributed order paid in W_n = D-n … D-1: orders, buyers, channels, GMV, the
  per-order-rounded commission (预估佣金), refunds completed as of D-1 (capped per order), net figures
  and settled orders (int_distribution_creator_windows), the creator's level as of D-1, and the
  creator's share of and rank by the shop's distributed GMV in the window.
-#}

with creator_windows as (
    select * from {{ ref('int_distribution_creator_windows') }}
),

creators as (
    select * from {{ ref('stg_landing__creators') }}
),

with_level as (
    select
        cw.*,
        c.creator_level
    from creator_windows as cw
    left join creators as c
        on c.creator_id = cw.creator_id
       and {{ version_in_force('c', 'cw.as_of_date') }}
),

final as (
    select
        as_of_date,
        cast(window_days as integer) as window_days,
        window_start,
        window_end,
        shop_id,
        creator_id,
        creator_level,
        distributed_orders,
        distributed_buyers,
        live_orders,
        video_orders,
        shelf_orders,
        gmv,
        estimated_commission,
        {{ round_half_up(safe_divide('estimated_commission', 'gmv'), 6) }} as avg_commission_rate,
        refunded_orders,
        refund_amount,
        {{ round_half_up(safe_divide('refunded_orders', 'distributed_orders'), 6) }} as refund_rate,
        cast(gmv - refund_amount as decimal(18, 2)) as net_gmv,
        net_commission,
        settled_orders,
        {{ round_half_up(safe_divide('gmv',
            'sum(gmv) over (partition by as_of_date, window_days, shop_id)'), 6) }} as gmv_share,
        cast(rank() over (partition by as_of_date, window_days, shop_id order by gmv desc)
             as integer) as gmv_rank
    from with_level
)

select * from final
