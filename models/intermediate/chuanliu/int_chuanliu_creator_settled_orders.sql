{{ config(materialized='view') }}
{#-
  Settled orders (分销结算订单) per (as_of_date D, creator_main_push activity started by D-1, creator)
  (spec 05 §3): orders with the creator, of a product with an `approved` registration for the
  activity, paid in start_date … evaluated_through (= min(end_date, D-1)), `delivered` before
  evaluated_through + 1 and with no `completed` refund. Registrations and refunds are the versions
  in force for D (spec README: change records as of D-1), so a refund completed after the activity
  ended still un-settles its order. A view over the build's as_of_dates; creators with at least one
  order of a featured product in the activity get a row.
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
       and {{ version_in_force('r', 'ar.as_of_date') }}
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
       and rf.in_force_from <= ao.as_of_date
       and (rf.in_force_to is null or rf.in_force_to >= ao.as_of_date)
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
        on ro.as_of_date = ao.as_of_date and ro.activity_id = ao.activity_id
            and ro.order_id = ao.order_id
    group by ao.as_of_date, ao.activity_id, ao.creator_id, ao.evaluated_through
),

final as (
    select
        as_of_date,
        activity_id,
        creator_id,
        cast(activity_orders as bigint) as activity_orders,
        cast(settled_orders as bigint) as settled_orders,
        evaluated_through
    from creator_orders
)

select * from final
