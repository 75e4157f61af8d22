{#- landed = staged + quarantined + duplicates, per raw table and dt (spec 01 / 06) -#}
{{ config(alias='landing_counts') }}
{%- set landing_tables = ['categories', 'shops', 'products', 'creators', 'refunds',
    'activity_registrations', 'orders', 'logistics_events', 'reviews', 'im_sessions',
    'live_sessions', 'content_daily_stats', 'product_traffic_daily'] %}

with counts as (
    {%- for t in landing_tables %}
    select
        {{ kscore.sql_string(t) }} as table_name,
        dt,
        count(*) as landed_rows,
        sum(case when row_status = 'staged' then 1 else 0 end) as staged_rows,
        sum(case when row_status = 'quarantined' then 1 else 0 end) as quarantined_rows,
        sum(case when row_status = 'duplicate' then 1 else 0 end) as duplicate_rows,
        -- a run re-reads whole dt partitions (delete+insert by dt): the run that last
        -- processed this one
        max(run_id) as processed_by_run
    from {{ ref('base_landing__' ~ t) }}
    group by dt
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select * from counts
)

select * from final
