{{ config(materialized='table') }}
{#-
  Target shops of the 川流 coupon activities (spec 05 §2), judged on data
  before the start date S: the shop version in force for S (updated_at < S),
  own live in S-30 … S-1 (at least one live day: the shop's own sessions, split
  at midnight, add up to core_params.live_active_min_minutes within a day; spec 09
  §6.1), distributed orders in S-180 … S-1, opened_at in
  S-30 … S-1 (lookbacks: seed chuanliu_params). One row per (activity, shop);
  a shop in several groups gets the group with the lowest seed priority.
-#}

with activities as (
    select a.*
    from {{ ref('chuanliu_activities') }} as a
    where a.activity_type in (select activity_type from {{ ref('chuanliu_target_groups') }})
),

target_groups as (
    select * from {{ ref('chuanliu_target_groups') }}
),

shops as (
    select * from {{ ref('stg_landing__shops') }}
),

self_live_daily as (
    select shop_id, live_date, live_hours
    from {{ ref('int_live_daily') }}
    where host_type = 'shop'
),

orders_daily as (
    select * from {{ ref('int_chuanliu_shop_orders_daily') }}
),

params as (
    {{ seed_params('chuanliu_params', [
        ('target_live_lookback_days', 'live_days', 'integer'),
        ('target_distribution_lookback_days', 'distribution_days', 'integer'),
        ('target_new_shop_lookback_days', 'new_shop_days', 'integer'),
    ]) }}
),

core_params as (
    {{ seed_params('core_params', [('live_active_min_minutes', 'live_active_min_minutes',
        'integer')]) }}
),

shops_at_start as (
    select
        a.activity_id,
        a.activity_type,
        a.start_date,
        sh.shop_id,
        sh.shop_type,
        sh.opened_at
    from activities as a
    inner join shops as sh on {{ version_in_force('sh', 'a.start_date') }}
    where sh.status = 'active'
),

live_before_start as (
    select a.activity_id, l.shop_id
    from activities as a
    cross join params as p
    cross join core_params as c
    inner join self_live_daily as l
        on l.live_date >= {{ add_days('a.start_date', '-p.live_days') }}
       and l.live_date < a.start_date
    where {{ is_live_day('l.live_hours', 'c.live_active_min_minutes') }}
    group by a.activity_id, l.shop_id
),

distribution_before_start as (
    select a.activity_id, o.shop_id
    from activities as a
    cross join params as p
    inner join orders_daily as o
        on o.paid_date >= {{ add_days('a.start_date', '-p.distribution_days') }}
       and o.paid_date < a.start_date
    where o.distributed_orders > 0
    group by a.activity_id, o.shop_id
),

candidates as (
    select
        s.activity_id,
        s.activity_type,
        s.shop_id,
        case
            when s.activity_type = 'distribution_coupon'
             and s.shop_type = 'enterprise'
             and lv.shop_id is not null
             and d.shop_id is null then 'enterprise_live_no_distribution'
        end as group_a,
        case
            when s.activity_type = 'distribution_coupon'
             and s.shop_type <> 'personal'
             and cast(s.opened_at as date) >= {{ add_days('s.start_date', '-p.new_shop_days') }}
             and cast(s.opened_at as date) < s.start_date then 'new_non_personal'
        end as group_b,
        case
            when s.activity_type = 'self_live_coupon' and lv.shop_id is not null
                then 'self_live_recent'
        end as group_c
    from shops_at_start as s
    cross join params as p
    left join live_before_start as lv on lv.activity_id = s.activity_id and lv.shop_id = s.shop_id
    left join distribution_before_start as d on d.activity_id = s.activity_id
        and d.shop_id = s.shop_id
),

memberships as (
    select activity_id, activity_type, shop_id, group_a as target_group from candidates
        where group_a is not null
    union all
    select activity_id, activity_type, shop_id, group_b as target_group from candidates
        where group_b is not null
    union all
    select activity_id, activity_type, shop_id, group_c as target_group from candidates
        where group_c is not null
),

ranked as (
    select
        m.activity_id,
        m.shop_id,
        m.target_group,
        row_number() over (partition by m.activity_id, m.shop_id order by g.priority,
            m.target_group) as group_order
    from memberships as m
    inner join target_groups as g
        on g.activity_type = m.activity_type and g.target_group = m.target_group
),

final as (
    select activity_id, shop_id, target_group
    from ranked
    where group_order = 1
)

select * from final
