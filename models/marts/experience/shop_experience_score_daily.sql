{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  店铺体验分 per as_of_date × active shop (spec 03): the wide view pivoted from
  the long scored indicators (int_experience_shop_scores): stage, each indicator
  value and score, the four dimension scores, the 100-point total, the
  five-point score and the peer percentile within the main category.
-#}
{%- set indicators = shop_experience_indicators() | map(attribute='indicator') | list -%}
{%- set dimensions = shop_experience_indicators() | map(attribute='dimension_key')
    | unique | list -%}

with scored as (
    select * from {{ ref('int_experience_shop_scores') }}
    where {{ in_build_range('as_of_date') }}
),

final as (
    select
        as_of_date,
        shop_id,
        max(main_category_id) as main_category_id,
        {{ pivot_scored_indicators(indicators, dimensions, 'experience_score', 'paid_orders_30d') }}
    from scored
    group by as_of_date, shop_id
)

select * from final
