-- depends_on: {{ ref('base_landing__content_daily_stats') }}
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='dt') }}
{#-
  Content figures per (video_id, day dt) (spec 09 §1.3, 短视频作品流量): every content_daily_stats row of
  content_type video, with its author (author_type, author_id). The mart keeps the shop-authored
  rows for its window and reads first_seen_dt over all of them. Incremental by the days this run
  staged.
-#}

with content as (
    select * from {{ ref('stg_landing__content_daily_stats') }}
    where content_type = 'video'
    {% if is_incremental() %}
      and dt in (
          select touched_date from {{ touched_dates(ref('base_landing__content_daily_stats')) }})
    {% endif %}
),

final as (
    select
        content_id as video_id,
        dt,
        author_type,
        author_id,
        cast(views as bigint) as views,
        cast(interactions as bigint) as interactions,
        cast(negative_feedbacks as bigint) as negative_feedbacks
    from content
)

select * from final
