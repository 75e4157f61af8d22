{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#- 川流计划 daily eligibility and reward per active shop (spec 05 §1). reward_date E = D-1. -#}

{#- the windowed figures per shop: one contribution column each (macro contribution_columns) -#}
{%- set shop_measures = {
    'distributed_orders_180d': 'bigint', 'distributed_buyers_180d': 'bigint',
        'self_live_days_30d': 'bigint',
    'self_live_hours': 'decimal(38, 18)'} -%}

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
    select shop_id, live_date, {{ round_half_up('live_hours', 6) }} as live_hours
    from {{ ref('int_live_daily') }}
    where host_type = 'shop'
),

tiers as (
    select * from {{ ref('chuanliu_reward_tiers') }}
),

params as (
    {{ seed_params('chuanliu_params', [
        ('distribution_window_days', 'distribution_window_days', 'integer'),
        ('self_live_window_days', 'self_live_window_days', 'integer'),
        ('min_distributed_orders_180d', 'min_distributed_orders'),
        ('min_self_live_days_30d', 'min_self_live_days'),
        ('min_reward_live_hours', 'min_reward_live_hours'),
    ]) }}
),

core_params as (
    {{ seed_params('core_params', [
        ('live_active_min_minutes', 'live_active_min_minutes'),
    ]) }}
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

{#- the windowed figures as interval sums (macro interval_sums): a paid day d counts for the
    as_of_dates d + 1 … d + 180, a buyer delta from its day on, a live day d for d + 1 … d + 30
    (active days) and for
    d + 1 only (the hours of E = D-1) -#}
shop_contributions as (
    select
        o.shop_id,
        {{ add_days('o.paid_date', 1) }} as from_date,
        {{ add_days('o.paid_date', 'p.distribution_window_days') }} as to_date,
        {{ contribution_columns(shop_measures,
            {'distributed_orders_180d': 'o.distributed_orders'}) }}
    from orders_daily as o
    cross join params as p
    union all
    select
        d.shop_id,
        d.delta_date,
        cast(null as date),
        {{ contribution_columns(shop_measures, {'distributed_buyers_180d': 'd.buyers_delta'}) }}
    from buyer_deltas as d
    union all
    select
        l.shop_id,
        {{ add_days('l.live_date', 1) }},
        {{ add_days('l.live_date', 'p.self_live_window_days') }},
        {{ contribution_columns(shop_measures, {
            'self_live_days_30d': 'case when ' ~ is_live_day('l.live_hours',
                'c.live_active_min_minutes')
                ~ ' then 1 else 0 end'}) }}
    from self_live_daily as l
    cross join params as p
    cross join core_params as c
    union all
    select
        l.shop_id,
        {{ add_days('l.live_date', 1) }},
        {{ add_days('l.live_date', 1) }},
        {{ contribution_columns(shop_measures, {'self_live_hours': 'l.live_hours'}) }}
    from self_live_daily as l
),

shop_probes as (
    select as_of_date, shop_id from active_shops
),

shop_sums as (
    {{ interval_sums('shop_probes', 'shop_contributions', ['shop_id'],
        shop_measures.keys() | list) }}
),

indicators as (
    select
        a.as_of_date,
        a.reward_date,
        a.shop_id,
        a.distribution_enabled,
        coalesce(s.distributed_orders_180d, 0) as distributed_orders_180d,
        coalesce(s.distributed_buyers_180d, 0) as distributed_buyers_180d,
        coalesce(s.self_live_days_30d, 0) as self_live_days_30d,
        {{ round_half_up('coalesce(cast(s.self_live_hours as double), 0)', 6) }} as self_live_hours,
        p.min_distributed_orders,
        p.min_self_live_days,
        p.min_reward_live_hours
    from active_shops as a
    cross join params as p
    left join shop_sums as s on s.as_of_date = a.as_of_date and s.shop_id = a.shop_id
),

eligibility as (
    select
        *,
        (distribution_enabled
         and distributed_orders_180d >= min_distributed_orders
         and self_live_days_30d >= min_self_live_days) as is_eligible,
        substr(
            case when distribution_enabled then '' else ';distribution_not_enabled' end
            || case when distributed_orders_180d >= min_distributed_orders then ''
                else ';no_distributed_orders_180d' end
            || case when self_live_days_30d >= min_self_live_days then ''
                else ';no_self_live_30d' end,
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
