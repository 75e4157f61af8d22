-- depends_on: {{ ref('base_landing__im_sessions') }}
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='im_date') }}
{#- IM sessions per shop and started day: answered within the reply limit, rated, satisfied,
    unsatisfied -#}

with sessions as (
    select * from {{ ref('stg_landing__im_sessions') }}
    {% if is_incremental() %}
    where started_date in (select touched_date
        from {{ touched_dates(ref('base_landing__im_sessions')) }})
    {% endif %}
),

params as (
    {{ seed_params('core_params', [
        ('im_reply_seconds', 'im_reply_seconds'),
    ]) }}
),

final as (
    select
        s.shop_id,
        s.started_date as im_date,
        count(*) as sessions,
        sum(case when s.first_reply_at is not null
                  and s.first_reply_at <= {{ add_seconds('s.started_at', 'p.im_reply_seconds') }}
                 then 1 else 0 end) as replied_3min_sessions,
        sum(case when s.satisfaction is not null then 1 else 0 end) as rated_sessions,
        sum(case when s.satisfaction = 'satisfied' then 1 else 0 end) as satisfied_sessions,
        sum(case when s.satisfaction = 'unsatisfied' then 1 else 0 end) as unsatisfied_sessions
    from sessions as s
    cross join params as p
    group by s.shop_id, s.started_date
)

select * from final
