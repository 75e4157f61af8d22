{#-
  product_tier_ranked_indicators(): the 商品分层 indicators of product_tier_indicators() with the
  condition (on alias s, a row of int_product_tier_indicators) under which each is ranked (spec
  02): heat needs >= 1 paid order, quality and service need not is_low_sample. The list
  subtree_peer_scores takes; shared by int_product_tier_scores and the distance marts.
-#}
{% macro product_tier_ranked_indicators() -%}
    {%- set indicators = [] -%}
    {%- for ind in product_tier_indicators() -%}
        {%- do indicators.append({
            'indicator': ind.indicator, 'dimension': ind.dimension, 'precision': ind.precision,
            'ranked': 's.paid_orders >= 1' if ind.dimension == 'heat' else 'not s.is_low_sample',
        }) -%}
    {%- endfor -%}
    {{ return(indicators) }}
{%- endmacro %}
