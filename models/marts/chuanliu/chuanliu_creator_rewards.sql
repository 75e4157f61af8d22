{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  川流主推品分销活动 creator rewards (spec 05 §3): per (as_of_date, activity, creator) the settled orders and
  the reward: only the highest tier reached pays (不可叠加), capped at param
  creator_reward_cap_exposures (封顶).
-#}

with settled as (
    select * from {{ ref('int_chuanliu_creator_settled_orders') }}
),

tiers as (
    select * from {{ ref('chuanliu_creator_reward_tiers') }}
),

params as (
    {{ seed_params('chuanliu_params', [
        ('creator_reward_cap_exposures', 'reward_cap'),
    ]) }}
),

tier_reached as (
    select
        c.as_of_date,
        c.activity_id,
        c.creator_id,
        max(t.reward_tier) as reward_tier
    from settled as c
    inner join tiers as t on t.min_settled_orders <= c.settled_orders
    group by c.as_of_date, c.activity_id, c.creator_id
),

final as (
    select
        c.as_of_date,
        c.activity_id,
        c.creator_id,
        c.activity_orders,
        c.settled_orders,
        cast(coalesce(r.reward_tier, 0) as integer) as reward_tier,
        cast(case when t.reward_exposures is null then 0
                  when t.reward_exposures > p.reward_cap then p.reward_cap
                  else t.reward_exposures end as bigint) as reward_exposures,
        c.evaluated_through
    from settled as c
    cross join params as p
    left join tier_reached as r
        on r.as_of_date = c.as_of_date and r.activity_id = c.activity_id
            and r.creator_id = c.creator_id
    left join tiers as t on t.reward_tier = r.reward_tier
)

select * from final
