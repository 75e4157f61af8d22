-- depends_on: {{ ref('base_landing__orders') }}
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='paid_date') }}
{#-
  Orders of live sessions per (live_session_id, shop_id, buyer_id, paid day) (spec 09 §1.2, 直播场次流量):
  the daily pre-aggregate of marts.shop_live_session_funnel_daily. Only channel self_live orders
  with a session id count (a creator_live order carrying a shop session's id is a data fault and is
  left out); the mart matches shop_id with the session's host shop. The buyer stays in the grain so
  that the mart counts distinct buyers from each buyer's first paid day. Incremental by the paid
  days this run staged.
-#}

with orders as (
    select * from {{ ref('stg_landing__orders') }}
    where channel = 'self_live'
      and live_session_id is not null
    {% if is_incremental() %}
      and paid_date in (select touched_date from {{ touched_dates(ref('base_landing__orders')) }})
    {% endif %}
),

final as (
    select
        live_session_id,
        shop_id,
        buyer_id,
        paid_date,
        cast(count(*) as bigint) as paid_orders,
        cast(sum(pay_amount) as decimal(18, 2)) as gmv
    from orders
    group by live_session_id, shop_id, buyer_id, paid_date
)

select * from final
