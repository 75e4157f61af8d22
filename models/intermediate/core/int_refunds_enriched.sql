{{ config(materialized='table') }}
{#- one row per staged refund version, with its order's attributes and the as_of_dates it is in
    force for -#}

with refunds as (
    select * from {{ ref('stg_landing__refunds') }}
),

orders as (
    select order_id, shop_id, product_id, creator_id, paid_date, pay_amount
    from {{ ref('stg_landing__orders') }}
),

reasons as (
    select * from {{ ref('refund_reasons') }}
),

final as (
    select
        r.refund_id,
        r.order_id,
        o.shop_id,
        o.product_id,
        o.creator_id,
        o.paid_date as order_paid_date,
        o.pay_amount as order_pay_amount,
        r.refund_type,
        r.reason,
        coalesce(reasons.is_quality_reason, false) as is_quality_reason,
        r.refund_amount,
        r.status,
        r.requested_at,
        r.completed_at,
        r.platform_intervened,
        r.status = 'completed' as is_completed,
        (r.status = 'completed' and not r.platform_intervened) as is_merchant_completed,
        case when r.completed_at is not null
            then {{ hours_between('r.requested_at', 'r.completed_at') }} end as complete_hours,
        r.updated_at,
        r.valid_to,
        {{ add_days('r.updated_at', 1) }} as in_force_from,
        cast(r.valid_to as date) as in_force_to
    from refunds as r
    inner join orders as o on o.order_id = r.order_id
    left join reasons on reasons.reason = r.reason
)

select * from final
