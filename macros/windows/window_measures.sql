{#-
  shop_experience_measures() / product_tier_measures(): the windowed figures of the
  店铺体验分 and 商品分层 indicators, measure name -> SQL type (or [type, default], macro
  contribution_columns). Written once: the contributions model emits one column per
  measure and the indicators model sums the same list (macro interval_sums).
-#}
{% macro shop_experience_measures() -%}
    {{ return({
        'paid_orders': 'bigint', 'pickup_due_orders': 'bigint',
        'collected_on_time_orders': 'bigint', 'delivered_orders': 'bigint',
        'delivery_hours_sum': 'decimal(38, 18)',
        'quality_refund_orders': 'bigint', 'effective_sales_days': 'bigint',
        'refund_only_completed': 'bigint', 'refund_only_hours_sum': 'decimal(38, 18)',
        'return_refund_completed': 'bigint', 'return_refund_hours_sum': 'decimal(38, 18)',
        'reviews': 'bigint', 'negative_product_reviews': 'bigint',
        'negative_logistics_reviews': 'bigint', 'im_sessions': 'bigint',
        'im_replied_3min_sessions': 'bigint', 'im_rated_sessions': 'bigint',
        'im_unsatisfied_sessions': 'bigint', 'live_active_days': 'bigint'}) }}
{%- endmacro %}

{#- the hour sums stay NULL where no row contributes -#}
{% macro product_tier_measures() -%}
    {{ return({
        'paid_orders': 'bigint', 'gmv': 'decimal(18, 2)', 'in_stock_orders': 'bigint',
        'shipped_orders': 'bigint', 'ship_hours_sum': ['decimal(38, 18)', 'null'],
        'ship_hours_count': 'bigint', 'completed_refund_amount': 'decimal(18, 2)',
        'merchant_completed_refunds': 'bigint',
        'merchant_complete_hours_sum': ['decimal(38, 18)', 'null'],
        'merchant_complete_hours_count': 'bigint', 'quality_refund_orders': 'bigint',
        'dispute_orders': 'bigint', 'reviews': 'bigint', 'negative_product_reviews': 'bigint',
        'exposures': 'bigint'}) }}
{%- endmacro %}
