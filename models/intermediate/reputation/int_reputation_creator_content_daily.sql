-- depends_on: {{ ref('base_landing__content_daily_stats') }}
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='stat_date') }}
{#-
  Content statistics per creator (as author) and day (带货口碑分 pre-aggregate,
  spec 04 内容体验): content_daily_stats rows with author_type `creator`,
  summed over the creator's videos and lives of the day.
-#}

with content as (
    select * from {{ ref('stg_landing__content_daily_stats') }}
    where author_type = 'creator'
    {% if is_incremental() %}
      and dt in (select touched_date
          from {{ touched_dates(ref('base_landing__content_daily_stats')) }})
    {% endif %}
),

final as (
    select
        author_id as creator_id,
        dt as stat_date,
        count(*) as content_rows,
        sum(views) as views,
        sum(interactions) as interactions,
        sum(negative_feedbacks) as negative_feedbacks,
        sum(false_claim_reports) as false_claim_reports
    from content
    group by author_id, dt
)

select * from final
