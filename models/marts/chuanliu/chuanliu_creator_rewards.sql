{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='as_of_date') }}
{#-
  川流主推品分销活动 creator rewards (spec 05 §3): per (as_of_date D, creator_main_push activity started by D-1,
  creator with an order of a featured product paid in the activity), the settled orders through
  evaluated_through = min(end_date, D-1) and the tier reward (highest tier only, capped).
  Registrations and refunds are read as of evaluated_through (versions in force for evaluated_through + 1),
  so a finished activity's figures stay final.
-#}

with spine as (
    select as_of_date from {{ as_of_dates() }} as s
),

activities as (
    select * from {{ ref('chuanliu_activities') }}
    where activity_type = 'creator_main_push'
),

registrations as (
    select * from {{ ref('stg_landing__activity_registrations') }}
),

orders as (
    select * from {{ ref('int_orders_enriched') }}
    where creator_id is not null
),

refunds as (
    select * from {{ ref('int_refunds_enriched') }}
    where is_completed
),

tiers as (
    select * from {{ ref('chuanliu_creator_reward_tiers') }}
),

params as (
    select max(case when param = 'creator_reward_cap_exposures' then value end) as reward_cap
    from {{ ref('chuanliu_params') }}
),

activity_runs as (
    select
        sp.as_of_date,
        a.activity_id,
        a.start_date,
        a.end_date,
        case when a.end_date < {{ add_days('sp.as_of_date', -1) }} then a.end_date
             else {{ add_days('sp.as_of_date', -1) }} end as evaluated_through
    from spine as sp
    inner join activities as a on a.start_date <= {{ add_days('sp.as_of_date', -1) }}
),

featured_products as (
    select
        ar.as_of_date,
        ar.activity_id,
        ar.start_date,
        ar.evaluated_through,
        r.product_id
    from activity_runs as ar
    inner join registrations as r
        on r.activity_id = ar.activity_id
       and {{ version_in_force('r', add_days('ar.evaluated_through', 1)) }}
    where r.status = 'approved'
),

activity_orders as (
    select
        fp.as_of_date,
        fp.activity_id,
        fp.evaluated_through,
        o.order_id,
        o.creator_id,
        o.delivered_at
    from featured_products as fp
    inner join orders as o
        on o.product_id = fp.product_id
       and o.paid_date >= fp.start_date
       and o.paid_date <= fp.evaluated_through
),

refunded_orders as (
    select distinct
        ao.as_of_date,
        ao.activity_id,
        ao.order_id
    from activity_orders as ao
    inner join refunds as rf
        on rf.order_id = ao.order_id
       and rf.in_force_from <= {{ add_days('ao.evaluated_through', 1) }}
       and (rf.in_force_to is null or rf.in_force_to >= {{ add_days('ao.evaluated_through', 1) }})
),

creator_orders as (
    select
        ao.as_of_date,
        ao.activity_id,
        ao.creator_id,
        ao.evaluated_through,
        count(*) as activity_orders,
        sum(case when ao.delivered_at < cast({{ add_days('ao.evaluated_through', 1) }} as timestamp)
                  and ro.order_id is null then 1 else 0 end) as settled_orders
    from activity_orders as ao
    left join refunded_orders as ro
        on ro.as_of_date = ao.as_of_date and ro.activity_id = ao.activity_id and ro.order_id = ao.order_id
    group by ao.as_of_date, ao.activity_id, ao.creator_id, ao.evaluated_through
),

tier_reached as (
    select
        c.as_of_date,
        c.activity_id,
        c.creator_id,
        max(t.reward_tier) as reward_tier
    from creator_orders as c
    inner join tiers as t on t.min_settled_orders <= c.settled_orders
    group by c.as_of_date, c.activity_id, c.creator_id
),

final as (
    select
        c.as_of_date,
        c.activity_id,
        c.creator_id,
        cast(c.activity_orders as bigint) as activity_orders,
        cast(c.settled_orders as bigint) as settled_orders,
        cast(coalesce(r.reward_tier, 0) as integer) as reward_tier,
        cast(case when t.reward_exposures is null then 0
                  when t.reward_exposures > p.reward_cap then p.reward_cap
                  else t.reward_exposures end as bigint) as reward_exposures,
        c.evaluated_through
    from creator_orders as c
    cross join params as p
    left join tier_reached as r
        on r.as_of_date = c.as_of_date and r.activity_id = c.activity_id and r.creator_id = c.creator_id
    left join tiers as t on t.reward_tier = r.reward_tier
)

select * from final
