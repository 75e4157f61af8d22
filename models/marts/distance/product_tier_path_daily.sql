{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  商品分层 cheapest path to the next tier (spec 02; issue 13 point 3): per as_of_date x tiered
  product. The tier is the lowest cap of the four levels (seed tier_caps), so the next tier needs
  exactly the dimensions whose cap is below it, each at the lowest level whose cap reaches it:
  that set is the fewest moves (no other set reaches it) and the lowest levels the fewest level
  steps; no tie between dimensions can arise. Within a dimension one step up (the next level),
  the cheapest indicator is the one of product_indicator_distance_daily whose needed percentile
  is the smallest gain over its current percentile (no value = 0); ties by indicator name. 信息力
  moves by checklist points (product_info_items_daily). NULL path at the top tier.
-#}
{%- set dims = [('info', '信息力'), ('heat', '热度值'), ('quality', '品质力'), ('service', '服务力')] -%}

with tiers as (
    select * from {{ ref('product_tier_daily') }}
    where {{ in_build_range('as_of_date') }}
),

distances as (
    select * from {{ ref('product_indicator_distance_daily') }}
    where {{ in_build_range('as_of_date') }} and distance_reason = 'reachable'
),

caps as (
    select * from {{ ref('tier_caps') }}
),

info_levels as (
    select * from {{ ref('info_levels') }}
),

max_tier as (
    select max(tier_cap) as max_tier_rank from caps
),

{#- per dimension and target tier: the lowest level whose cap reaches it -#}
target_levels as (
    select c.dimension, t.tier_cap as target_tier, min(c.level_rank) as level_rank
    from (select distinct tier_cap from caps) as t
    inner join caps as c on c.tier_cap >= t.tier_cap
    group by c.dimension, t.tier_cap
),

cheapest as (
    select as_of_date, product_id, dimension, indicator_cn, needed_value
    from (
        select
            d.*,
            row_number() over (
                partition by d.as_of_date, d.product_id, d.dimension
                order by d.needed_percentile - coalesce(d.current_percentile, 0), d.indicator
            ) as choice
        from distances as d
    ) as ranked
    where choice = 1
),

moves as (
    select
        t.as_of_date,
        t.product_id,
        t.shop_id,
        t.tier,
        t.tier_rank,
        t.info_score,
        t.orders_to_rank,
        case when t.tier_rank < m.max_tier_rank then t.tier_rank + 1 end as next_tier_rank,
        {%- for d, cn in dims %}
        t.{{ d }}_rank,
        case when t.tier_rank < m.max_tier_rank and t.{{ d }}_cap <= t.tier_rank
             then tl_{{ d }}.level_rank end as {{ d }}_target_rank,
        c_{{ d }}.level as {{ d }}_target_level{{ ',' if not loop.last }}
        {%- endfor %}
    from tiers as t
    cross join max_tier as m
    {%- for d, cn in dims %}
    left join target_levels as tl_{{ d }}
        on tl_{{ d }}.dimension = {{ kscore.sql_string(d) }}
       and tl_{{ d }}.target_tier = t.tier_rank + 1
    left join caps as c_{{ d }}
        on c_{{ d }}.dimension = {{ kscore.sql_string(d) }}
       and c_{{ d }}.level_rank = tl_{{ d }}.level_rank
       and t.{{ d }}_cap <= t.tier_rank
    {%- endfor %}
),

final as (
    select
        mv.as_of_date,
        mv.product_id,
        mv.shop_id,
        mv.tier,
        cast(mv.tier_rank as integer) as tier_rank,
        case when mv.next_tier_rank is not null
             then 'G' || cast(mv.next_tier_rank as {{ kscore.type_name('varchar') }}) end
            as next_tier,
        cast(mv.next_tier_rank as integer) as next_tier_rank,
        mv.next_tier_rank is null as is_top_tier,
        {%- for d, cn in dims %}
        cast(mv.{{ d }}_rank as integer) as {{ d }}_rank,
        {%- endfor %}
        case when mv.next_tier_rank is not null then cast(
            {%- for d, cn in dims %}
            case when mv.{{ d }}_target_rank is not null then 1 else 0 end
            {{- ' +' if not loop.last }}
            {%- endfor %} as integer) end as moves_needed,
        case when mv.next_tier_rank is not null then cast(
            {%- for d, cn in dims %}
            coalesce(mv.{{ d }}_target_rank - mv.{{ d }}_rank, 0)
            {{- ' +' if not loop.last }}
            {%- endfor %} as integer) end as level_steps_needed,
        {%- for d, cn in dims %}
        cast(mv.{{ d }}_target_rank as integer) as {{ d }}_target_rank,
        mv.{{ d }}_target_level,
        {%- endfor %}
        {{ round_half_up('il.min_score - mv.info_score', 2) }} as info_points_needed,
        case when mv.heat_target_rank is not null or mv.quality_target_rank is not null
                  or mv.service_target_rank is not null then mv.orders_to_rank end
            as orders_to_rank,
        case when mv.next_tier_rank is not null then substr(''
            {%- for d, cn in dims %}
            || coalesce(';{{ cn }}:' || mv.{{ d }}_target_level
                        {%- if d != 'info' %}
                        || coalesce(case when mv.{{ d }}_target_rank = mv.{{ d }}_rank + 1 then
                           '(' || ch_{{ d }}.indicator_cn || '='
                           || cast(ch_{{ d }}.needed_value as {{ kscore.type_name('varchar') }})
                           || ')' end, '')
                        {%- endif %}, '')
            {%- endfor %}, 2) end as path
    from moves as mv
    left join info_levels as il on il.level_rank = mv.info_target_rank
    {%- for d, cn in dims if d != 'info' %}
    left join cheapest as ch_{{ d }}
        on ch_{{ d }}.as_of_date = mv.as_of_date and ch_{{ d }}.product_id = mv.product_id
       and ch_{{ d }}.dimension = {{ kscore.sql_string(d) }}
    {%- endfor %}
)

select * from final
