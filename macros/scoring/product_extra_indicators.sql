{#-
  product_extra_indicators(): the 商品分 extra-dimension indicators int_product_extra_scores
  ranks (spec 09 §3), each as {indicator, dimension, precision}: the decimals the value is
  rounded to before ranking (2 for the GPM money values, 6 for ratios). The seed
  extra_dimension_weights holds each one's weight and direction; its data test
  matches_indicator_set keeps the two sets equal (the one list of product_tier_indicators'
  kind for spec 09's dimensions).
-#}
{% macro product_extra_indicators() -%}
    {{ return([
        {'indicator': 'price_vs_list', 'dimension': 'price', 'precision': 6},
        {'indicator': 'price_vs_history', 'dimension': 'price', 'precision': 6},
        {'indicator': 'live_gpm', 'dimension': 'gpm', 'precision': 2},
        {'indicator': 'video_gpm', 'dimension': 'gpm', 'precision': 2},
        {'indicator': 'good_review_rate', 'dimension': 'good_review', 'precision': 6},
    ]) }}
{%- endmacro %}
