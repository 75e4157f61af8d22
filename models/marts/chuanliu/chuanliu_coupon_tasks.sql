{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  川流 coupon tasks (spec 05 §2): one row per (as_of_date D, activity, target shop, task) for
  every coupon activity that has started by D-1, evaluated through min(end_date, D-1).
-#}

with spine as (
    select as_of_date from {{ as_of_dates() }} as s
),

activities as (
    select * from {{ ref('chuanliu_activities') }}
),

tasks as (
    select * from {{ ref('chuanliu_tasks') }}
),

targets as (
    select * from {{ ref('int_chuanliu_coupon_targets') }}
),

shops as (
    select * from {{ ref('stg_landing__shops') }}
),

day_metrics as (
    -- metrics that accumulate over the activity's days (cut at evaluated_through below)
    select * from {{ ref('int_chuanliu_coupon_day_metrics') }}
),

activity_runs as (
    select
        sp.as_of_date,
        a.activity_id,
        a.activity_type,
        a.start_date,
        a.end_date,
        case when a.end_date < {{ add_days('sp.as_of_date', -1) }} then a.end_date
             else {{ add_days('sp.as_of_date', -1) }} end as evaluated_through
    from spine as sp
    inner join activities as a on a.start_date <= {{ add_days('sp.as_of_date', -1) }}
    where a.activity_type in (select activity_type from tasks)
),

-- state metrics: the day the shop did it, from the shop version in force for D
state_metrics as (
    select
        ar.as_of_date,
        ar.activity_id,
        t.shop_id,
        'distribution_enabled' as metric,
        cast(sh.distribution_enabled_at as date) as metric_date,
        cast(1 as double) as metric_day_value
    from activity_runs as ar
    inner join targets as t on t.activity_id = ar.activity_id
    inner join shops as sh
        on sh.shop_id = t.shop_id and {{ version_in_force('sh', 'ar.as_of_date') }}
    where sh.distribution_enabled_at is not null
    union all
    select
        ar.as_of_date,
        ar.activity_id,
        t.shop_id,
        'distribution_plan_set',
        cast(sh.distribution_plan_at as date),
        cast(1 as double)
    from activity_runs as ar
    inner join targets as t on t.activity_id = ar.activity_id
    inner join shops as sh
        on sh.shop_id = t.shop_id and {{ version_in_force('sh', 'ar.as_of_date') }}
    where sh.distribution_plan_at is not null
),

task_rows as (
    select
        ar.as_of_date,
        ar.activity_id,
        t.shop_id,
        t.target_group,
        k.task_id,
        k.task_group,
        k.metric,
        k.comparison,
        k.threshold,
        k.reward_exposures,
        k.not_offered_if_done_before_start,
        ar.start_date,
        ar.end_date,
        ar.evaluated_through
    from activity_runs as ar
    inner join targets as t on t.activity_id = ar.activity_id
    inner join tasks as k on k.activity_type = ar.activity_type
),

metric_rows as (
    select
        tr.as_of_date, tr.activity_id, tr.shop_id, tr.task_id, m.metric_date, m.metric_day_value
    from task_rows as tr
    inner join day_metrics as m
        on m.activity_id = tr.activity_id and m.shop_id = tr.shop_id and m.metric = tr.metric
       and m.metric_date <= tr.evaluated_through
    union all
    select
        tr.as_of_date, tr.activity_id, tr.shop_id, tr.task_id, m.metric_date, m.metric_day_value
    from task_rows as tr
    inner join state_metrics as m
        on m.as_of_date = tr.as_of_date and m.activity_id = tr.activity_id
       and m.shop_id = tr.shop_id
       and m.metric = tr.metric and m.metric_date <= tr.evaluated_through
),

evaluated as (
    select
        tr.as_of_date,
        tr.activity_id,
        tr.shop_id,
        tr.task_id,
        max(m.metric_day_value) as metric_value,
        min(case when (tr.comparison = '>=' and m.metric_day_value >= tr.threshold)
                   or (tr.comparison = '>' and m.metric_day_value > tr.threshold)
                 then m.metric_date end) as achieved_on
    from task_rows as tr
    inner join metric_rows as m
        on m.as_of_date = tr.as_of_date and m.activity_id = tr.activity_id
       and m.shop_id = tr.shop_id and m.task_id = tr.task_id
    group by tr.as_of_date, tr.activity_id, tr.shop_id, tr.task_id
),

statuses as (
    select
        tr.*,
        coalesce(e.metric_value, 0) as metric_value,
        e.achieved_on,
        case
            when tr.not_offered_if_done_before_start and e.achieved_on < tr.start_date
                then 'not_offered'
            when e.achieved_on is not null then 'achieved'
            when tr.evaluated_through >= tr.end_date then 'not_achieved'
            else 'in_progress'
        end as status
    from task_rows as tr
    left join evaluated as e
        on e.as_of_date = tr.as_of_date and e.activity_id = tr.activity_id
       and e.shop_id = tr.shop_id and e.task_id = tr.task_id
),

group_payout as (
    select
        *,
        row_number() over (
            partition by as_of_date, activity_id, shop_id, task_group
            order by case when status = 'achieved' then 0 else 1 end asc, reward_exposures desc,
                task_id asc
        ) as payout_order
    from statuses
),

final as (
    select
        as_of_date,
        activity_id,
        shop_id,
        target_group,
        task_id,
        task_group,
        status,
        achieved_on,
        cast(metric_value as double) as metric_value,
        cast(case when status = 'achieved' and payout_order = 1 then reward_exposures else 0 end
             as bigint) as reward_exposures,
        evaluated_through,
        start_date,
        end_date,
        cast(threshold as double) as threshold
    from group_payout
)

select * from final
