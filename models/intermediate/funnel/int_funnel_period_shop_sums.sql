{#-
  The 生意通 period sums (spec 09 §1.1): per (as_of_date D, active shop, scene, period_type) the Σ
  of 08's daily funnel figures (int_funnel_shop_daily) over the period shown (<m>) and over its
  comparison period (prev_<m>), for every as_of_date of the build set-based: a daily row of day dt
  counts for the as_of_dates whose period k holds dt (macros funnel_period_as_of_first / _last, the
  inverse of the bounds of int_funnel_period_bounds), summed by macro interval_sums; never a join of
  every as_of_date to the days of its periods. The shops, with their main category and 店铺体验分
  stage as of D, are those of int_experience_shop_indicators, as in marts.shop_traffic_funnel_daily.
  No activity is 0 here; which steps a scene has is the mart's business.
-#}

{%- set sums = funnel_counts() + ['gmv'] -%}
{%- set measures = [] -%}
{%- for prefix in ['', 'prev_'] -%}
    {%- for m in sums -%}{%- do measures.append(prefix ~ m) -%}{%- endfor -%}
{%- endfor -%}

with shop_stages as (
    select distinct
        as_of_date,
        shop_id,
        main_category_id,
        is_scored
    from {{ ref('int_experience_shop_indicators') }}
),

scenes as (
    select * from {{ ref('funnel_scenes') }}
),

periods as (
    select * from {{ ref('funnel_periods') }}
),

funnel_daily as (
    select * from {{ ref('int_funnel_shop_daily') }}
),

probes as (
    select
        ss.shop_id,
        sc.scene,
        p.period_type,
        ss.as_of_date,
        ss.main_category_id,
        ss.is_scored
    from shop_stages as ss
    cross join scenes as sc
    cross join periods as p
),

{#- one contribution per daily row, period_type and k (1: the period shown, 2: its comparison) -#}
contributions as (
    select
        f.shop_id,
        f.scene,
        p.period_type,
        case k.k
            when 1 then {{ funnel_period_as_of_first('p.period_kind', 'p.period_days', 'f.dt', 1) }}
            else {{ funnel_period_as_of_first('p.period_kind', 'p.period_days', 'f.dt', 2) }}
        end as from_date,
        case k.k
            when 1 then {{ funnel_period_as_of_last('p.period_kind', 'p.period_days', 'f.dt', 1) }}
            else {{ funnel_period_as_of_last('p.period_kind', 'p.period_days', 'f.dt', 2) }}
        end as to_date
        {%- for prefix, k in [('', 1), ('prev_', 2)] %}{% for m in sums %},
        case when k.k = {{ k }} then coalesce(f.{{ m }}, 0) else 0 end as {{ prefix ~ m }}
        {%- endfor %}{% endfor %}
    from funnel_daily as f
    cross join periods as p
    cross join (select 1 as k union all select 2 as k) as k
),

period_sums as (
    {{ interval_sums('probes', 'contributions', ['shop_id', 'scene', 'period_type'], measures,
                     carry=['main_category_id', 'is_scored']) }}
),

final as (
    select
        as_of_date,
        shop_id,
        scene,
        period_type,
        main_category_id,
        is_scored
        {%- for m in measures %},
        {%- set type = 'decimal(18, 2)' if m.endswith('gmv') else 'bigint' %}
        cast(coalesce({{ m }}, 0) as {{ type }}) as {{ m }}
        {%- endfor %}
    from period_sums
)

select * from final
