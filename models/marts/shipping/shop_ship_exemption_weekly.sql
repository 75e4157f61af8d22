{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#- 高现货 late-shipment exemption (spec 08): for as_of_date D every benefit week whose Monday is on
    or before D -#}

with spine as (
    select as_of_date from {{ as_of_dates() }} as s
),

exemption_weeks as (
    select * from {{ ref('int_shipping_exemption_weeks') }}
),

final as (
    select
        sp.as_of_date,
        w.benefit_week_start,
        w.data_week_start,
        w.shop_id,
        w.paid_orders,
        w.committed_spot_orders,
        w.committed_spot_ratio,
        w.due_orders,
        w.timely_shipped_orders,
        w.timely_ship_rate,
        w.is_exempt
    from spine as sp
    inner join exemption_weeks as w on w.benefit_week_start <= sp.as_of_date
)

select * from final
