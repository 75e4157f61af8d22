-- depends_on: {{ ref('base_landing__live_sessions') }}
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='live_date') }}
{#-
  Live time per host and local day (spec README: a session counts on day E for
  the part of [started_at, ended_at) inside [E 00:00, E+1 00:00)). Sessions
  crossing midnight are split over at most var('max_live_session_days') days:
  staging quarantines a longer session (session_longer_than_max_days), so no
  live time is cut off here. Exposures and views count on the started day.
-#}
{%- set max_session_days = var('max_live_session_days') | int -%}

with sessions as (
    select * from {{ ref('stg_landing__live_sessions') }}
),

{% if is_incremental() %}
touched as (
    select touched_date from {{ touched_dates(ref('base_landing__live_sessions')) }}
),

affected_dates as (
    {%- for k in range(max_session_days) %}
    select {{ add_days('touched_date', k) }} as live_date from touched
    {{ 'union' if not loop.last }}
    {%- endfor %}
),

sessions_in_scope as (
    select * from sessions
    where started_date >= (select {{ add_days('min(live_date)', -max_session_days) }}
        from affected_dates)
),
{% else %}
sessions_in_scope as (
    select * from sessions
),
{% endif %}

day_offsets as (
    {%- for k in range(max_session_days) %}
    select {{ k }} as day_offset {{ 'union all' if not loop.last }}
    {%- endfor %}
),

session_days as (
    select
        s.live_session_id,
        s.host_type,
        s.shop_id,
        s.creator_id,
        s.started_at,
        s.ended_at,
        s.exposures,
        s.views,
        d.day_offset,
        {{ add_days('s.started_date', 'd.day_offset') }} as live_date
    from sessions_in_scope as s
    inner join day_offsets as d
        on cast({{ add_days('s.started_date', 'd.day_offset') }} as timestamp) < s.ended_at
),

session_day_parts as (
    select
        *,
        case when started_at > cast(live_date as timestamp) then started_at
            else cast(live_date as timestamp) end as part_start,
        case when ended_at < cast({{ add_days('live_date', 1) }} as timestamp) then ended_at
             else cast({{ add_days('live_date', 1) }} as timestamp) end as part_end
    from session_days
),

final as (
    select
        host_type,
        coalesce(shop_id, creator_id) as host_id,
        max(shop_id) as shop_id,
        max(creator_id) as creator_id,
        live_date,
        sum(case when part_end > part_start then {{ hours_between('part_start', 'part_end') }}
            else 0 end) as live_hours,
        sum(case when day_offset = 0 then 1 else 0 end) as started_sessions,
        sum(case when day_offset = 0 then exposures else 0 end) as exposures,
        sum(case when day_offset = 0 then views else 0 end) as views
    from session_day_parts
    {% if is_incremental() %}
    where live_date in (select live_date from affected_dates)
    {% endif %}
    group by host_type, coalesce(shop_id, creator_id), live_date
)

select * from final
