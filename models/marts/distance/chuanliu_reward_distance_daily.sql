{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  川流 distance to the next reward tier (spec 05 §1 and §3; issue 13 point 3), one row per
  as_of_date x entity: a shop of chuanliu_shop_daily (distributed buyers 180d against seed
  chuanliu_reward_tiers) and a creator x creator_main_push activity of chuanliu_creator_rewards
  (settled orders against seed chuanliu_creator_reward_tiers). reached_tier is the tier the measure
  alone reaches (the highest tier whose minimum is <= the measure, the marts' rule); still_needed =
  the next tier's minimum - the measure; NULL at the top tier. A shop's paid reward_tier is also 0
  while it is not eligible or under 4 live hours: those gates are listed, not a distance.
-#}

with shops as (
    select * from {{ ref('chuanliu_shop_daily') }}
    where {{ in_build_range('as_of_date') }}
),

creators as (
    select * from {{ ref('chuanliu_creator_rewards') }}
    where {{ in_build_range('as_of_date') }}
),

shop_tiers as (
    select reward_tier, min_buyers as tier_min from {{ ref('chuanliu_reward_tiers') }}
),

creator_tiers as (
    select reward_tier, min_settled_orders as tier_min
    from {{ ref('chuanliu_creator_reward_tiers') }}
),

entities as (
    select
        as_of_date,
        'shop' as entity_type,
        shop_id as entity_id,
        cast(null as {{ kscore.type_name('varchar') }}) as activity_id,
        'distributed_buyers_180d' as measure,
        cast(distributed_buyers_180d as bigint) as current_value,
        reward_tier,
        is_eligible and meets_live_hours as gates_met
    from shops
    union all
    select
        as_of_date,
        'creator',
        creator_id,
        activity_id,
        'settled_orders',
        cast(settled_orders as bigint),
        reward_tier,
        true
    from creators
),

tier_rows as (
    select 'shop' as entity_type, reward_tier, tier_min from shop_tiers
    union all
    select 'creator', reward_tier, tier_min from creator_tiers
),

reached as (
    select
        e.as_of_date,
        e.entity_type,
        e.entity_id,
        e.activity_id,
        max(case when t.tier_min <= e.current_value then t.reward_tier end) as reached_tier,
        min(case when t.tier_min > e.current_value then t.reward_tier end) as next_tier
    from entities as e
    inner join tier_rows as t on t.entity_type = e.entity_type
    group by e.as_of_date, e.entity_type, e.entity_id, e.activity_id
),

final as (
    select
        e.as_of_date,
        e.entity_type,
        e.entity_id,
        e.activity_id,
        e.measure,
        e.current_value,
        cast(e.reward_tier as integer) as reward_tier,
        e.gates_met,
        cast(coalesce(r.reached_tier, 0) as integer) as reached_tier,
        cast(r.next_tier as integer) as next_tier,
        cast(t.tier_min as bigint) as next_tier_min,
        cast(t.tier_min - e.current_value as bigint) as still_needed,
        r.next_tier is null as is_top_tier
    from entities as e
    inner join reached as r
        on r.as_of_date = e.as_of_date
       and r.entity_type = e.entity_type
       and r.entity_id = e.entity_id
       and r.activity_id is not distinct from e.activity_id
    left join tier_rows as t on t.entity_type = e.entity_type and t.reward_tier = r.next_tier
)

select * from final
