{#-
  product_tier_indicators(): the 商品分层 indicators int_product_tier_scores
  ranks (spec 02), each as {indicator, dimension, precision}: the decimals the
  value is rounded to before ranking (2 for money, 6 for rates and hours; a
  property of the value's type, not a platform rule). The seed
  dimension_weights holds each one's weight and direction (higher_is_better);
  the seed's data test matches_indicator_set keeps the two sets equal.
-#}
{% macro product_tier_indicators() -%}
    {{ return([
        {'indicator': 'effective_gmv', 'dimension': 'heat', 'precision': 2},
        {'indicator': 'exposure_conversion', 'dimension': 'heat', 'precision': 6},
        {'indicator': 'quality_refund_rate', 'dimension': 'quality', 'precision': 6},
        {'indicator': 'negative_quality_review_rate', 'dimension': 'quality', 'precision': 6},
        {'indicator': 'in_stock_ratio', 'dimension': 'service', 'precision': 6},
        {'indicator': 'avg_ship_hours', 'dimension': 'service', 'precision': 6},
        {'indicator': 'im_reply_3min_rate', 'dimension': 'service', 'precision': 6},
        {'indicator': 'im_satisfaction_rate', 'dimension': 'service', 'precision': 6},
        {'indicator': 'dispute_rate', 'dimension': 'service', 'precision': 6},
        {'indicator': 'refund_self_complete_hours', 'dimension': 'service', 'precision': 6},
    ]) }}
{%- endmacro %}
