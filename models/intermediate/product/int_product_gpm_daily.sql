-- depends_on: {{ ref('base_landing__orders') }} {{ ref('base_landing__logistics_events') }}
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='paid_date') }}
{#-
  Content orders per product × paid day × content (直播GPM / 短视频GPM, spec 09 §3):
  content_type `live` for the channels self_live and creator_live (content_id =
  live_session_id), `video` for short_video (content_id = video_id). An order
  without its content id carries no content and is not counted. Recomputes the
  paid days int_orders_enriched recomputes.
-#}

with orders as (
    select * from {{ ref('int_orders_enriched') }}
),

{{ orders_in_scope('orders') }}

content_orders as (
    select
        product_id,
        paid_date,
        case when channel in ('self_live', 'creator_live') then 'live' else 'video' end
            as content_type,
        case when channel in ('self_live', 'creator_live') then live_session_id else video_id end
            as content_id,
        pay_amount
    from orders_in_scope
    where channel in ('self_live', 'creator_live', 'short_video')
),

final as (
    select
        product_id,
        paid_date,
        content_type,
        content_id,
        count(*) as orders,
        cast(sum(pay_amount) as decimal(18, 2)) as gmv
    from content_orders
    where content_id is not null
    group by product_id, paid_date, content_type, content_id
)

select * from final
