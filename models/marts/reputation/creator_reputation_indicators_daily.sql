{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='as_of_date') }}
{#-
  带货口碑分 indicators, long form (spec 04): one row per as_of_date × scored
  creator × indicator with the three layers the platform's back-end shows: the
  value (numerator / denominator), the indicator score, and its weight and
  weighted score (Σ weighted_score = reputation_score_100 up to rounding).
-#}

{{ long_indicator_mart('int_reputation_creator_scores', 'creator_id') }}
