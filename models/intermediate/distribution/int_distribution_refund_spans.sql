{{ config(materialized='table') }}
{#-
  Refund state of each distributed order over as_of_dates (spec 09 §2): the spans
  [from_date, to_date] (to_date NULL = open) of as_of_dates D on which the order's refunds
  completed as of D-1 (the versions in force for D, int_refunds_enriched) stay the same, with
  their Σ refund_amount. Per span: the refunded amount capped at pay_amount, the net commission
  round_half_up((pay_amount − refunded) × rate, 2) and its difference to the order commission.
  Only spans with a completed refund are kept.
-#}

with orders as (
    select * from {{ ref('int_distribution_orders') }}
),

completed_refunds as (
    select * from {{ ref('int_refunds_enriched') }}
    where is_completed and creator_id is not null
),

changes as (
    -- a completed version adds its amount on in_force_from and removes it after in_force_to
    select
        order_id,
        change_date,
        sum(refunds_delta) as refunds_delta,
        sum(amount_delta) as amount_delta
    from (
        select
            order_id,
            in_force_from as change_date,
            1 as refunds_delta,
            refund_amount as amount_delta
        from completed_refunds
        union all
        select order_id, {{ add_days('in_force_to', 1) }}, -1, -refund_amount
        from completed_refunds
        where in_force_to is not null
    ) as version_events
    group by order_id, change_date
),

spans as (
    select
        order_id,
        change_date as from_date,
        {{ add_days('lead(change_date) over (partition by order_id order by change_date)', -1) }}
            as to_date,
        sum(refunds_delta) over (partition by order_id order by change_date
                                 rows between unbounded preceding and current row)
            as completed_refunds,
        sum(amount_delta) over (partition by order_id order by change_date
                                rows between unbounded preceding and current row) as refunded_sum
    from changes
),

capped_spans as (
    select
        o.order_id,
        o.shop_id,
        o.creator_id,
        o.paid_date,
        o.delivered_date,
        s.from_date,
        s.to_date,
        o.pay_amount,
        o.commission_rate,
        o.commission,
        cast(case when s.refunded_sum > o.pay_amount then o.pay_amount else s.refunded_sum end
             as decimal(18, 2)) as refund_amount
    from spans as s
    inner join orders as o on o.order_id = s.order_id
    where s.completed_refunds > 0
),

net_spans as (
    select
        *,
        cast({{ round_half_up('(pay_amount - refund_amount) * commission_rate', 2) }}
             as decimal(18, 2)) as net_commission
    from capped_spans
),

final as (
    select
        order_id,
        shop_id,
        creator_id,
        paid_date,
        delivered_date,
        from_date,
        to_date,
        refund_amount,
        net_commission,
        cast(net_commission - commission as decimal(18, 2)) as net_commission_delta
    from net_spans
)

select * from final
