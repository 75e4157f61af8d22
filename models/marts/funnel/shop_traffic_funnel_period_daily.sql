{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  生意通 periods with 环比 (spec 09 §1.1): per (as_of_date D, active shop, scene, period_type of
  seed funnel_periods) 08's funnel figures summed over the period (int_funnel_period_shop_sums) and
  over its comparison period (prev_), the step conversions as ratios of those sums (never a mean of
  daily ratios), the 环比 (m - prev_m) / prev_m where both periods lie inside the history, and 08's
  peer mean (macro funnel_peer_means) over shops of the same main category and 店铺体验分 stage as of
  D, for the same scene and period_type.
-#}

{%- set sums = funnel_counts() + ['gmv'] -%}
{%- set rates = funnel_rates() -%}

with period_sums as (
    select * from {{ ref('int_funnel_period_shop_sums') }}
),

bounds as (
    select * from {{ ref('int_funnel_period_bounds') }}
),

scenes as (
    select * from {{ ref('funnel_scenes') }}
),

{#- a step the scene does not have is NULL (as 08): room exposures only for live sessions, views
    only where the scene has content -#}
own as (
    select
        s.as_of_date,
        s.shop_id,
        sc.scene,
        sc.scene_cn,
        sc.scene_rank,
        b.period_type,
        b.period_type_cn,
        b.period_rank,
        b.period_start,
        b.period_end,
        b.prev_start,
        b.prev_end,
        b.period_days,
        b.prev_days,
        b.period_complete,
        b.prev_complete,
        s.main_category_id,
        {{ score_stage('s.is_scored') }} as score_stage,
        case when s.is_scored then 1 else 0 end as stage_rank
        {%- for prefix in ['', 'prev_'] %},
        case when sc.content_source = 'live_session' then s.{{ prefix }}room_exposures end
            as {{ prefix }}room_exposures,
        case when sc.content_source is not null then s.{{ prefix }}content_views end
            as {{ prefix }}content_views,
        s.{{ prefix }}product_exposures,
        s.{{ prefix }}product_visits,
        s.{{ prefix }}paid_orders,
        s.{{ prefix }}gmv
        {%- endfor %}
    from period_sums as s
    inner join scenes as sc on sc.scene = s.scene
    inner join bounds as b on b.as_of_date = s.as_of_date and b.period_type = s.period_type
),

own_rates as (
    select
        *
        {%- for prefix in ['', 'prev_'] %}{% for r, nd in rates.items() %},
        {{ round_half_up(safe_divide(prefix ~ nd[0], prefix ~ nd[1]), 6) }} as {{ prefix ~ r }}
        {%- endfor %}{% endfor %}
    from own
),

peer_means as (
    -- 同行同等级商家均值 over the period figures: 08's arithmetic, per scene and period_type
    {{ funnel_peer_means('own_rates',
        ['as_of_date', 'main_category_id', 'stage_rank', 'scene', 'period_type']) }}
),

final as (
    select
        o.as_of_date,
        o.shop_id,
        o.scene,
        o.scene_cn,
        o.scene_rank,
        o.period_type,
        o.period_type_cn,
        o.period_rank,
        o.period_start,
        o.period_end,
        o.prev_start,
        o.prev_end,
        o.period_days,
        o.prev_days,
        o.period_complete,
        o.prev_complete,
        o.main_category_id,
        o.score_stage,
        o.stage_rank,
        {%- for prefix in ['', 'prev_'] %}
        {%- for m in sums %}
        {%- if m == 'gmv' %}
        cast(o.{{ prefix }}gmv as decimal(18, 2)) as {{ prefix }}gmv,
        {%- else %}
        cast(o.{{ prefix ~ m }} as bigint) as {{ prefix ~ m }},
        {%- endif %}
        {%- endfor %}
        {%- for r in rates %}
        o.{{ prefix ~ r }},
        {%- endfor %}
        {%- endfor %}
        {#- 环比: NULL on a zero or NULL comparison, or when either period starts before the
            history -#}
        {%- for m in funnel_figures() %}
        case when o.period_complete and o.prev_complete
             then {{ round_half_up(safe_divide('o.' ~ m ~ ' - o.prev_' ~ m, 'o.prev_' ~ m), 6) }}
        end as {{ m }}_change,
        {%- endfor %}
        {{ funnel_peer_avg_columns('p') }}
    from own_rates as o
    inner join peer_means as p
        on p.as_of_date = o.as_of_date and p.main_category_id = o.main_category_id
       and p.stage_rank = o.stage_rank and p.scene = o.scene and p.period_type = o.period_type
)

select * from final
