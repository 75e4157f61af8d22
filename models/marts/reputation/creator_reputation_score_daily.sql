{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='as_of_date') }}
{#-
  带货口碑分 per as_of_date × creator (spec 04): the wide view pivoted from the
  long scored indicators (int_reputation_creator_scores): level, stage, each
  indicator value and score, the three dimension scores, the 100-point total,
  the five-point score and the peer percentile within the creator_level.
-#}
{%- set indicators = [
    'content_negative_feedback_rate', 'false_claim_report_rate', 'interaction_rate', 'quality_refund_rate',
    'negative_product_review_rate', 'timely_ship_rate', 'dispute_rate', 'negative_service_review_rate',
] -%}
{%- set dimensions = ['content_experience', 'product_experience', 'service_experience'] -%}

with scored as (
    select * from {{ ref('int_reputation_creator_scores') }}
    where as_of_date >= cast('{{ var("from_date") }}' as date)
      and as_of_date <= cast('{{ var("to_date") }}' as date)
),

final as (
    select
        as_of_date,
        creator_id,
        max(creator_level) as creator_level,
        case when max(case when is_scored then 1 else 0 end) = 1 then '正式期' else '成长期' end as score_stage,
        max(case when is_scored then 1 else 0 end) = 1 as is_scored,
        max(distribution_orders_30d) as distribution_orders_30d,
        max(peer_group_size) as peer_group_size,
        {%- for i in indicators %}
        max(case when indicator = '{{ i }}' then value end) as {{ i }},
        {%- endfor %}
        {%- for i in indicators %}
        max(case when indicator = '{{ i }}' then indicator_score end) as {{ i }}_score,
        {%- endfor %}
        {%- for d in dimensions %}
        max(case when dimension_key = '{{ d }}' then dimension_score end) as {{ d }}_score,
        {%- endfor %}
        max(total_score_100) as reputation_score_100,
        round(max(total_score_100) / 20, 2) as reputation_score,
        max(total_peer_percentile) as peer_percentile
    from scored
    group by as_of_date, creator_id
)

select * from final
