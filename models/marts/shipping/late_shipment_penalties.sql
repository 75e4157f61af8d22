{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  Late-shipment penalties (spec 08, amended by spec 09 §6.2): for as_of_date D one row per order
  whose deadline (paid_at + promised_ship_hours) is before D and that was not shipped by it, except
  - presale orders (shipping_params.penalty_exclude_presale): due at an announced date the raw
    data lacks;
  - orders with a refund that, as of D-1 (its version in force for D), has a status of
    penalty_suspending_refund_statuses and was requested before the deadline and before shipping.
    A refund later rejected or cancelled ends the exclusion from the next as_of_date on.
  In a week where the shop is exempt (高现货 exemption of that benefit week) its first remaining late
  order(s) of the week (earliest ship_deadline, then order_id; seed param) are waived: an excluded
  order does not consume the waiver.
-#}

with spine as (
    select as_of_date from {{ as_of_dates() }} as s
),

params as (
    {{ seed_params('shipping_params', [
        ('waived_late_orders_per_exempt_week', 'waived_per_week', 'integer'),
        ('penalty_exclude_presale', 'exclude_presale', 'boolean'),
        ('penalty_suspending_refund_statuses', 'suspending_statuses'),
    ]) }}
),

suspending_statuses as (
    select trim(st.status) as status
    from params as p
    cross join {{ split_to_rows('p.suspending_statuses', ';', 'st', 'status') }}
),

late_orders as (
    -- late in the final state: not shipped by the deadline (an order shipped in time is visible
    -- before D)
    select o.order_id, o.shop_id, o.paid_at, o.ship_deadline_at, o.shipped_at
    from {{ ref('int_orders_enriched') }} as o
    cross join params as p
    where o.ship_deadline_at
        < cast(cast({{ kscore.sql_string(run_var("to_date")) }} as date) as timestamp)
      and (o.shipped_at is null or o.shipped_at > o.ship_deadline_at)
      and not (coalesce(o.is_presale, false) and p.exclude_presale)
),

suspending_refunds as (
    -- refund versions that take their order out: requested before the deadline and before shipping
    select r.order_id, r.in_force_from, r.in_force_to
    from {{ ref('int_refunds_enriched') }} as r
    inner join late_orders as o on o.order_id = r.order_id
    inner join suspending_statuses as st on st.status = r.status
    where r.requested_at < o.ship_deadline_at
      and (o.shipped_at is null or r.requested_at < o.shipped_at)
),

exemption_weeks as (
    select * from {{ ref('int_shipping_exemption_weeks') }}
    where is_exempt
),

late_as_of as (
    select
        sp.as_of_date,
        o.order_id,
        o.shop_id,
        o.paid_at,
        o.ship_deadline_at as ship_deadline,
        case when o.shipped_at < cast(sp.as_of_date as timestamp)
            then o.shipped_at end as shipped_at,
        cast({{ dbt.date_trunc('week', 'o.ship_deadline_at') }} as date) as penalty_week_start
    from spine as sp
    inner join late_orders as o on o.ship_deadline_at < cast(sp.as_of_date as timestamp)
),

suspended_as_of as (
    select distinct l.as_of_date, l.order_id
    from late_as_of as l
    inner join suspending_refunds as r
        on r.order_id = l.order_id
       and r.in_force_from <= l.as_of_date
       and (r.in_force_to is null or r.in_force_to >= l.as_of_date)
),

penalised as (
    select l.*
    from late_as_of as l
    left join suspended_as_of as s on s.as_of_date = l.as_of_date and s.order_id = l.order_id
    where s.order_id is null
),

ordered as (
    select
        l.*,
        row_number() over (
            partition by l.as_of_date, l.shop_id, l.penalty_week_start
            order by l.ship_deadline, l.order_id
        ) as late_order_in_week
    from penalised as l
),

final as (
    select
        o.as_of_date,
        o.order_id,
        o.shop_id,
        o.paid_at,
        o.ship_deadline,
        o.shipped_at,
        {{ hours_between('o.ship_deadline',
            'coalesce(o.shipped_at, cast(o.as_of_date as timestamp))') }}
            as hours_late,
        o.penalty_week_start,
        (e.shop_id is not null and o.late_order_in_week <= p.waived_per_week) as is_waived
    from ordered as o
    cross join params as p
    left join exemption_weeks as e
        on e.shop_id = o.shop_id and e.benefit_week_start = o.penalty_week_start
)

select * from final
