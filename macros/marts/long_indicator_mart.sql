{#-
  long_indicator_mart(scores, entity_id): the body of the two long indicator
  marts (shop_experience_indicators_daily, creator_reputation_indicators_daily):
  one row per as_of_date × entity × indicator of the scored indicators model
  `scores` (int_experience_shop_scores, int_reputation_creator_scores) with the
  three layers the platform's back-end shows: the value (numerator /
  denominator), the indicator score, and its weight and weighted score.
-#}
{% macro long_indicator_mart(scores, entity_id) -%}
with scored as (
    select * from {{ ref(scores) }}
    where {{ in_build_range('as_of_date') }}
),

final as (
    select
        as_of_date,
        {{ entity_id }},
        dimension,
        indicator,
        indicator_name_cn,
        value,
        numerator,
        denominator,
        indicator_score,
        weight,
        weighted_score,
        is_scored,
        sort_order
    from scored
)

select * from final
{%- endmacro %}
