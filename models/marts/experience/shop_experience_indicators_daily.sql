{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  店铺体验分 indicators, long form (spec 03): one row per as_of_date × active
  shop × indicator with the three layers the platform's back-end shows: the
  value (numerator / denominator), the indicator score, and its weight and
  weighted score (Σ weighted_score = experience_score_100 up to rounding).
-#}

{{ long_indicator_mart('int_experience_shop_scores', 'shop_id') }}
