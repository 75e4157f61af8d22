-- depends_on: {{ ref('base_landing__product_traffic_daily') }}
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='traffic_date') }}
{#- Product exposures per day and channel (spec 02 曝光次数): live and short_video make the heat
    exposures, shelf is kept for reference -#}

with traffic as (
    select * from {{ ref('stg_landing__product_traffic_daily') }}
    {% if is_incremental() %}
    where dt in (select touched_date
        from {{ touched_dates(ref('base_landing__product_traffic_daily')) }})
    {% endif %}
),

final as (
    select
        product_id,
        cast(dt as date) as traffic_date,
        sum(case when channel = 'live' then exposures else 0 end) as live_exposures,
        sum(case when channel = 'short_video' then exposures else 0 end) as short_video_exposures,
        sum(case when channel = 'shelf' then exposures else 0 end) as shelf_exposures,
        sum(case when channel in ('live', 'short_video') then exposures
            else 0 end) as content_exposures
    from traffic
    group by product_id, cast(dt as date)
)

select * from final
