-- depends_on: {{ ref('base_landing__orders') }}
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='paid_date') }}
{#-
  Orders of shop videos per (video_id, shop_id, buyer_id, paid day) (spec 09 §1.3, 短视频作品流量): the
  daily pre-aggregate of marts.shop_video_funnel_daily. Only channel short_video orders with a video
  id and no creator (creator_id NULL: a creator's sale of the shop's goods belongs to 分销, §2); the
  mart matches shop_id with the video's shop. The buyer stays in the grain so that the mart counts
  distinct buyers over its window. Incremental by the paid days this run staged.
-#}

with orders as (
    select * from {{ ref('stg_landing__orders') }}
    where channel = 'short_video'
      and video_id is not null
      and creator_id is null
    {% if is_incremental() %}
      and paid_date in (select touched_date from {{ touched_dates(ref('base_landing__orders')) }})
    {% endif %}
),

final as (
    select
        video_id,
        shop_id,
        buyer_id,
        paid_date,
        cast(count(*) as bigint) as paid_orders,
        cast(sum(pay_amount) as decimal(18, 2)) as gmv
    from orders
    group by video_id, shop_id, buyer_id, paid_date
)

select * from final
