{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='as_of_date') }}
{#-
  Late-shipment penalties (spec 08): for as_of_date D one row per order whose deadline
  (paid_at + promised_ship_hours) is before D and that was not shipped by it. In a week where the shop is
  exempt (高现货 exemption of that benefit week) its first late order(s) of the week (earliest ship_deadline,
  then order_id; seed param) are waived.
-#}

with spine as (
    select as_of_date from {{ as_of_dates() }} as s
),

late_orders as (
    -- late in the final state: not shipped by the deadline (an order shipped in time is visible before D)
    select order_id, shop_id, paid_at, ship_deadline_at, shipped_at
    from {{ ref('int_orders_enriched') }}
    where ship_deadline_at < cast(cast({{ kscore.sql_string(run_var("to_date")) }} as date) as timestamp)
      and (shipped_at is null or shipped_at > ship_deadline_at)
),

exemption_weeks as (
    select * from {{ ref('int_shipping_exemption_weeks') }}
    where is_exempt
),

params as (
    {{ seed_params('shipping_params', [
        ('waived_late_orders_per_exempt_week', 'waived_per_week'),
    ]) }}
),

late_as_of as (
    select
        sp.as_of_date,
        o.order_id,
        o.shop_id,
        o.paid_at,
        o.ship_deadline_at as ship_deadline,
        case when o.shipped_at < cast(sp.as_of_date as timestamp) then o.shipped_at end as shipped_at,
        cast({{ dbt.date_trunc('week', 'o.ship_deadline_at') }} as date) as penalty_week_start
    from spine as sp
    inner join late_orders as o on o.ship_deadline_at < cast(sp.as_of_date as timestamp)
),

ordered as (
    select
        l.*,
        row_number() over (
            partition by l.as_of_date, l.shop_id, l.penalty_week_start
            order by l.ship_deadline, l.order_id
        ) as late_order_in_week
    from late_as_of as l
),

final as (
    select
        o.as_of_date,
        o.order_id,
        o.shop_id,
        o.paid_at,
        o.ship_deadline,
        o.shipped_at,
        {{ hours_between('o.ship_deadline', 'coalesce(o.shipped_at, cast(o.as_of_date as timestamp))') }} as hours_late,
        o.penalty_week_start,
        (e.shop_id is not null and o.late_order_in_week <= p.waived_per_week) as is_waived
    from ordered as o
    cross join params as p
    left join exemption_weeks as e
        on e.shop_id = o.shop_id and e.benefit_week_start = o.penalty_week_start
)

select * from final
