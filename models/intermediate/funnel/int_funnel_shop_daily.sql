-- depends_on: {{ ref('base_landing__orders') }} {{ ref('base_landing__live_sessions') }}
-- depends_on: {{ ref('base_landing__content_daily_stats') }}
-- depends_on: {{ ref('base_landing__product_traffic_daily') }}
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='dt') }}
{#-
  Traffic funnel figures per (shop, day dt, scene) (spec 08, 生意通 流量): room exposures and views of
  the shop's own live sessions (started that day), views of the shop's own videos, product exposures
  and visits by channel (products mapped to their shop), paid orders and GMV by order channel; the
  scene's channels come from seed funnel_scenes. A step that does not exist for the scene is NULL;
  no activity is 0.
-#}

{% if is_incremental() %}
{%- set touched -%}
    (select touched_date from {{ touched_dates(ref('base_landing__orders')) }}
     union select touched_date from {{ touched_dates(ref('base_landing__live_sessions')) }}
     union select touched_date from {{ touched_dates(ref('base_landing__content_daily_stats')) }}
     union select touched_date from {{ touched_dates(ref('base_landing__product_traffic_daily')) }})
{%- endset -%}
{% endif %}

with scenes as (
    select * from {{ ref('funnel_scenes') }}
),

live_daily as (
    select shop_id, live_date as dt, exposures, views
    from {{ ref('int_live_daily') }}
    where host_type = 'shop' and started_sessions > 0
    {% if is_incremental() %} and live_date in {{ touched }} {% endif %}
),

video_stats as (
    select author_id as shop_id, dt, sum(views) as views
    from {{ ref('stg_landing__content_daily_stats') }}
    where content_type = 'video' and author_type = 'shop'
    {% if is_incremental() %} and dt in {{ touched }} {% endif %}
    group by author_id, dt
),

product_versions as (
    select
        product_id,
        shop_id,
        updated_at,
        valid_to,
        row_number() over (partition by product_id order by updated_at) = 1 as is_first_version
    from {{ ref('stg_landing__products') }}
),

product_traffic as (
    -- a product belongs to the shop of its version in force at the end of dt (spec README: change
    -- records as of the day); traffic before the product's first version (not seen in the demo)
    -- goes to that version, so no traffic row is dropped
    select ps.shop_id, t.dt, t.channel, sum(t.exposures) as exposures, sum(t.visits) as visits
    from {{ ref('stg_landing__product_traffic_daily') }} as t
    inner join product_versions as ps
        on ps.product_id = t.product_id
       and ({{ version_in_force('ps', add_days('t.dt', 1)) }}
            or (ps.is_first_version
                and ps.updated_at >= cast({{ add_days('t.dt', 1) }} as timestamp)))
    {% if is_incremental() %} where t.dt in {{ touched }} {% endif %}
    group by ps.shop_id, t.dt, t.channel
),

orders as (
    select shop_id, paid_date as dt, channel, count(*) as paid_orders, sum(pay_amount) as gmv
    from {{ ref('stg_landing__orders') }}
    {% if is_incremental() %} where paid_date in {{ touched }} {% endif %}
    group by shop_id, paid_date, channel
),

shop_days as (
    select shop_id, dt from live_daily
    union select shop_id, dt from video_stats
    union select shop_id, dt from product_traffic
    union select shop_id, dt from orders
),

scene_content as (
    select sd.shop_id, sd.dt, s.scene,
        case when s.content_source = 'live_session' then coalesce(l.exposures,
            0) end as room_exposures,
        case when s.content_source = 'live_session' then coalesce(l.views, 0)
             when s.content_source = 'video' then coalesce(v.views, 0) end as content_views
    from shop_days as sd
    cross join scenes as s
    left join live_daily as l on l.shop_id = sd.shop_id and l.dt = sd.dt
    left join video_stats as v on v.shop_id = sd.shop_id and v.dt = sd.dt
),

scene_products as (
    select sd.shop_id, sd.dt, s.scene, sum(t.exposures) as product_exposures,
        sum(t.visits) as product_visits
    from shop_days as sd
    cross join scenes as s
    inner join product_traffic as t
        on t.shop_id = sd.shop_id and t.dt = sd.dt
       and (s.product_channel is null or t.channel = s.product_channel)
    group by sd.shop_id, sd.dt, s.scene
),

scene_orders as (
    select sd.shop_id, sd.dt, s.scene, sum(o.paid_orders) as paid_orders, sum(o.gmv) as gmv
    from shop_days as sd
    cross join scenes as s
    inner join orders as o
        on o.shop_id = sd.shop_id and o.dt = sd.dt
       and (s.order_channel is null or o.channel = s.order_channel)
    group by sd.shop_id, sd.dt, s.scene
),

final as (
    select
        c.shop_id,
        c.dt,
        c.scene,
        cast(c.room_exposures as bigint) as room_exposures,
        cast(c.content_views as bigint) as content_views,
        cast(coalesce(p.product_exposures, 0) as bigint) as product_exposures,
        cast(coalesce(p.product_visits, 0) as bigint) as product_visits,
        cast(coalesce(o.paid_orders, 0) as bigint) as paid_orders,
        cast(coalesce(o.gmv, 0) as decimal(18, 2)) as gmv
    from scene_content as c
    left join scene_products as p on p.shop_id = c.shop_id and p.dt = c.dt and p.scene = c.scene
    left join scene_orders as o on o.shop_id = c.shop_id and o.dt = c.dt and o.scene = c.scene
)

select * from final
