{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  店铺体验分 distance (spec 03; issue 13 point 3): per as_of_date x shop of
  shop_experience_score_daily x indicator: the paid orders still needed for 正式期 (seed
  experience_params min_orders_scored) and, for a 正式期 shop, the value this one indicator needs,
  peers of that day fixed, for the five-point score to reach the next 0.1
  (int_distance_shop_score_counts). distance_reason: reachable · top_score (5.00) · not_scored
  (成长期: orders first) · no_value (the indicator has no value: nothing to move) · unreachable
  (even the best peer value of this indicator alone does not do) · any_value.
-#}
{%- set precisions = [] -%}
{%- for i in shop_experience_indicators() -%}
    {%- do precisions.append((i.indicator, 0 if i.denominator is none else 6)) -%}
{%- endfor %}

with scores as (
    select * from {{ ref('shop_experience_score_daily') }}
    where {{ in_build_range('as_of_date') }}
),

parts as (
    select * from {{ ref('int_distance_shop_score_parts') }}
),

counts as (
    select * from {{ ref('int_distance_shop_score_counts') }}
),

params as (
    {{ seed_params('experience_params', [('min_orders_scored', 'min_orders_scored', 'bigint')]) }}
),

precisions as (
    {%- for name, digits in precisions %}
    select {{ kscore.sql_string(name) }} as indicator, {{ digits }} as value_precision
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select
        s.as_of_date,
        s.shop_id,
        s.main_category_id,
        s.score_stage,
        s.paid_orders_30d,
        cast(greatest(p.min_orders_scored - s.paid_orders_30d, 0) as bigint)
            as orders_needed_for_formal,
        s.experience_score,
        case when s.is_scored and s.experience_score < 5 then
            {{ round_half_up('floor(s.experience_score * 10 + 0.000001) / 10 + 0.1', 2) }}
        end as target_score,
        x.dimension,
        x.indicator,
        x.indicator_name_cn,
        x.higher_is_better,
        cast(pr.value_precision as integer) as value_precision,
        x.value as current_value,
        x.indicator_score,
        c.needed_value,
        case when c.needed_value is not null then {{ round_half_up(
            '50 + 50 * (cast(c.needed_count as double) + 1) / (c.others_valued + 1)', 6) }} end
            as needed_indicator_score,
        case when c.needed_value is not null and x.value is not null then
            {{ round_half_up('c.needed_value - x.value', 6) }} end as value_change,
        case when not s.is_scored then 'not_scored'
             when x.value is null then 'no_value'
             else c.distance_reason end as distance_reason
    from scores as s
    cross join params as p
    inner join parts as x on x.as_of_date = s.as_of_date and x.shop_id = s.shop_id
    inner join precisions as pr on pr.indicator = x.indicator
    left join counts as c
        on c.as_of_date = x.as_of_date and c.shop_id = x.shop_id and c.indicator = x.indicator
)

select * from final
