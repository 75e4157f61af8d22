{{ config(materialized='table') }}
{#-
  Completed refund versions of shop-video orders (spec 09 §1.3: refund_amount = Σ of the video's
  orders' refunds completed as of D-1): one row per staged refund version of status completed
  (int_refunds_enriched, with the as_of_dates it is in force for: in_force_from … in_force_to) whose
  order is a short_video order with a video id and no creator. The mart adds it for the as_of_dates
  it is in force and its order is paid in the window.
-#}

with refunds as (
    select * from {{ ref('int_refunds_enriched') }}
    where is_completed
),

orders as (
    select order_id, video_id
    from {{ ref('stg_landing__orders') }}
    where channel = 'short_video'
      and video_id is not null
      and creator_id is null
),

final as (
    select
        o.video_id,
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
