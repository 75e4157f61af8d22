{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  商品分层 moves (issue 13 point 4): one row per (as_of_date D, product tiered on D or on D-1), its tier
  on D against D-1 from product_tier_daily (macro history_day_pairs: D-1 is the same mart's row,
  built in this invocation or kept in the build file). tier_change = tier_rank - prev_tier_rank;
  move: up · down · same · new (not tiered on D-1) · gone (not tiered on D) · no_previous (the build
  holds no product_tier_daily of D-1: a fresh build's first day).
-#}

with tier_pairs as (
    {{ history_day_pairs(ref('product_tier_daily'), ['product_id'],
                         ['shop_id', 'tier', 'tier_rank']) }}
),

final as (
    select
        as_of_date,
        product_id,
        coalesce(shop_id, prev_shop_id) as shop_id,
        prev_tier,
        tier,
        cast(prev_tier_rank as integer) as prev_tier_rank,
        cast(tier_rank as integer) as tier_rank,
        cast(tier_rank - prev_tier_rank as integer) as tier_change,
        {{ history_move('prev_tier_rank', 'tier_rank') }} as move
    from tier_pairs
)

select * from final
