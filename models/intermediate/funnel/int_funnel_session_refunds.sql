{{ config(materialized='table') }}
{#-
  Completed refund versions of live-session orders (spec 09 §1.2: refund_amount = Σ of the session's
  orders' refunds completed as of D-1): one row per staged refund version of status completed
  (int_refunds_enriched, with the as_of_dates it is in force for: in_force_from … in_force_to) whose
  order is a self_live order with a session id. The mart adds it for the as_of_dates it is in force
  and its order counts (paid before D).
-#}

with refunds as (
    select * from {{ ref('int_refunds_enriched') }}
    where is_completed
),

orders as (
    select order_id, live_session_id
    from {{ ref('stg_landing__orders') }}
    where channel = 'self_live'
      and live_session_id is not null
),

final as (
    select
        o.live_session_id,
        r.shop_id,
        r.refund_id,
        r.order_id,
        r.order_paid_date,
        r.refund_amount,
        r.updated_at,
        r.in_force_from,
        r.in_force_to
    from refunds as r
    inner join orders as o on o.order_id = r.order_id
)

select * from final
