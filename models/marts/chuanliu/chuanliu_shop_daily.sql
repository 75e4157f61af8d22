{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='as_of_date') }}
{#- 川流计划 daily eligibility and reward per active shop (spec 05 §1). reward_date E = D-1. -#}

with spine as (
    select as_of_date from {{ as_of_dates() }} as s
),

shops as (
    select * from {{ ref('stg_landing__shops') }}
),

orders_daily as (
    select * from {{ ref('int_chuanliu_shop_orders_daily') }}
),

buyer_deltas as (
    select * from {{ ref('int_chuanliu_distributed_buyer_deltas') }}
),

self_live_daily as (
    select shop_id, live_date, round(live_hours, 6) as live_hours
    from {{ ref('int_live_daily') }}
    where host_type = 'shop'
),

tiers as (
    select * from {{ ref('chuanliu_reward_tiers') }}
),

params as (
    select
        cast(max(case when param = 'distribution_window_days' then value end) as integer) as distribution_window_days,
        cast(max(case when param = 'self_live_window_days' then value end) as integer) as self_live_window_days,
        max(case when param = 'min_distributed_orders_180d' then value end) as min_distributed_orders,
        max(case when param = 'min_self_live_days_30d' then value end) as min_self_live_days,
        max(case when param = 'min_reward_live_hours' then value end) as min_reward_live_hours
    from {{ ref('chuanliu_params') }}
),

core_params as (
    select max(case when param = 'live_active_min_minutes' then value end) as live_active_min_minutes
    from {{ ref('core_params') }}
),

active_shops as (
    select
        sp.as_of_date,
        {{ add_days('sp.as_of_date', -1) }} as reward_date,
        sh.shop_id,
        (sh.distribution_enabled_at is not null
         and sh.distribution_enabled_at < cast(sp.as_of_date as timestamp)) as distribution_enabled
    from spine as sp
    inner join shops as sh on {{ version_in_force('sh', 'sp.as_of_date') }}
    where sh.status = 'active'
),

distributed_orders as (
    select
        sp.as_of_date,
        o.shop_id,
        sum(o.distributed_orders) as distributed_orders_180d
    from spine as sp
    cross join params as p
    inner join orders_daily as o
        on o.paid_date >= {{ add_days('sp.as_of_date', '-p.distribution_window_days') }}
       and o.paid_date < sp.as_of_date
    group by sp.as_of_date, o.shop_id
),

buyers_before_range as (
    select shop_id, sum(buyers_delta) as buyers
    from buyer_deltas
    where delta_date <= cast({{ kscore.sql_string(var("from_date")) }} as date)
    group by shop_id
),

buyers_in_range as (
    select
        sp.as_of_date,
        d.shop_id,
        sum(d.buyers_delta) as buyers
    from spine as sp
    inner join buyer_deltas as d
        on d.delta_date > cast({{ kscore.sql_string(var("from_date")) }} as date)
       and d.delta_date <= sp.as_of_date
    group by sp.as_of_date, d.shop_id
),

self_live as (
    select
        sp.as_of_date,
        l.shop_id,
        sum(case when l.live_hours * 60 >= c.live_active_min_minutes then 1 else 0 end) as self_live_days_30d,
        sum(case when l.live_date = {{ add_days('sp.as_of_date', -1) }} then l.live_hours else 0 end) as self_live_hours
    from spine as sp
    cross join params as p
    cross join core_params as c
    inner join self_live_daily as l
        on l.live_date >= {{ add_days('sp.as_of_date', '-p.self_live_window_days') }}
       and l.live_date < sp.as_of_date
    group by sp.as_of_date, l.shop_id
),

indicators as (
    select
        a.as_of_date,
        a.reward_date,
        a.shop_id,
        a.distribution_enabled,
        coalesce(o.distributed_orders_180d, 0) as distributed_orders_180d,
        coalesce(bb.buyers, 0) + coalesce(br.buyers, 0) as distributed_buyers_180d,
        coalesce(l.self_live_days_30d, 0) as self_live_days_30d,
        round(coalesce(l.self_live_hours, 0), 6) as self_live_hours,
        p.min_distributed_orders,
        p.min_self_live_days,
        p.min_reward_live_hours
    from active_shops as a
    cross join params as p
    left join distributed_orders as o on o.as_of_date = a.as_of_date and o.shop_id = a.shop_id
    left join buyers_before_range as bb on bb.shop_id = a.shop_id
    left join buyers_in_range as br on br.as_of_date = a.as_of_date and br.shop_id = a.shop_id
    left join self_live as l on l.as_of_date = a.as_of_date and l.shop_id = a.shop_id
),

eligibility as (
    select
        *,
        (distribution_enabled
         and distributed_orders_180d >= min_distributed_orders
         and self_live_days_30d >= min_self_live_days) as is_eligible,
        substr(
            case when distribution_enabled then '' else ';distribution_not_enabled' end
            || case when distributed_orders_180d >= min_distributed_orders then '' else ';no_distributed_orders_180d' end
            || case when self_live_days_30d >= min_self_live_days then '' else ';no_self_live_30d' end,
            2) as ineligible_reasons,
        self_live_hours >= min_reward_live_hours as meets_live_hours
    from indicators
),

tier_reached as (
    select
        e.as_of_date,
        e.shop_id,
        max(t.reward_tier) as reward_tier
    from eligibility as e
    inner join tiers as t on t.min_buyers <= e.distributed_buyers_180d
    where e.is_eligible and e.meets_live_hours
    group by e.as_of_date, e.shop_id
),

final as (
    select
        e.as_of_date,
        e.reward_date,
        e.shop_id,
        e.distribution_enabled,
        cast(e.distributed_orders_180d as bigint) as distributed_orders_180d,
        cast(e.distributed_buyers_180d as bigint) as distributed_buyers_180d,
        cast(e.self_live_days_30d as integer) as self_live_days_30d,
        e.is_eligible,
        e.ineligible_reasons,
        cast(e.self_live_hours as double) as self_live_hours,
        e.meets_live_hours,
        cast(coalesce(r.reward_tier, 0) as integer) as reward_tier,
        cast(coalesce(t.reward_hours, 0) as double) as reward_hours
    from eligibility as e
    left join tier_reached as r on r.as_of_date = e.as_of_date and r.shop_id = e.shop_id
    left join tiers as t on t.reward_tier = r.reward_tier
)

select * from final
