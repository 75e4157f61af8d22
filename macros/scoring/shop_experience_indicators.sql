{#-
  shop_experience_indicators(): the 店铺体验分 indicators the models compute
  (spec 03), each as {indicator, dimension_key, numerator, denominator}: the
  count columns of int_experience_shop_indicators whose ratio is the value (a
  `none` denominator marks a count indicator, value = numerator). The seed
  shop_indicator_weights holds each one's weight and direction; the seed's
  data test matches_indicator_set keeps the two sets equal.
-#}
{% macro shop_experience_indicators() -%}
    {{ return([
        {'indicator': 'quality_refund_order_rate', 'dimension_key': 'product_experience',
         'numerator': 'quality_refund_orders', 'denominator': 'paid_orders_30d'},
        {'indicator': 'negative_product_feedback_rate', 'dimension_key': 'product_experience',
         'numerator': 'negative_product_reviews', 'denominator': 'reviews'},
        {'indicator': 'timely_pickup_rate', 'dimension_key': 'logistics_experience',
         'numerator': 'collected_on_time_orders', 'denominator': 'pickup_due_orders'},
        {'indicator': 'delivery_hours', 'dimension_key': 'logistics_experience',
         'numerator': 'delivery_hours_sum', 'denominator': 'delivered_orders'},
        {'indicator': 'negative_logistics_feedback_rate', 'dimension_key': 'logistics_experience',
         'numerator': 'negative_logistics_reviews', 'denominator': 'reviews'},
        {'indicator': 'refund_only_complete_hours', 'dimension_key': 'service_experience',
         'numerator': 'refund_only_hours_sum', 'denominator': 'refund_only_completed'},
        {'indicator': 'return_refund_complete_hours', 'dimension_key': 'service_experience',
         'numerator': 'return_refund_hours_sum', 'denominator': 'return_refund_completed'},
        {'indicator': 'im_reply_3min_rate', 'dimension_key': 'service_experience',
         'numerator': 'im_replied_3min_sessions', 'denominator': 'im_sessions'},
        {'indicator': 'im_dissatisfaction_rate', 'dimension_key': 'service_experience',
         'numerator': 'im_unsatisfied_sessions', 'denominator': 'im_rated_sessions'},
        {'indicator': 'live_active_days_90d', 'dimension_key': 'stability',
         'numerator': 'live_active_days', 'denominator': none},
        {'indicator': 'effective_sales_days_90d', 'dimension_key': 'stability',
         'numerator': 'effective_sales_days', 'denominator': none},
    ]) }}
{%- endmacro %}
