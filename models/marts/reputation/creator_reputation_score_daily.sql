{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  带货口碑分 per as_of_date × creator (spec 04): the wide view pivoted from the
  long scored indicators (int_reputation_creator_scores): level, stage, each
  indicator value and score, the three dimension scores, the 100-point total,
  the five-point score and the peer percentile within the creator_level.
-#}
{%- set indicators = creator_reputation_indicators() | map(attribute='indicator') | list -%}
{%- set dimensions = creator_reputation_indicators() | map(attribute='dimension_key')
    | unique | list -%}

with scored as (
    select * from {{ ref('int_reputation_creator_scores') }}
    where {{ in_build_range('as_of_date') }}
),

final as (
    select
        as_of_date,
        creator_id,
        max(creator_level) as creator_level,
        {{ pivot_scored_indicators(indicators, dimensions, 'reputation_score',
            'distribution_orders_30d') }}
    from scored
    group by as_of_date, creator_id
)

select * from final
