{#-
  creator_reputation_indicators(): the 带货口碑分 indicators the models compute
  (spec 04), each as {indicator, dimension_key, numerator, denominator}: the
  count columns of int_reputation_creator_indicators whose ratio is the value.
  The seed creator_indicator_weights holds each one's weight and direction;
  the seed's data test matches_indicator_set keeps the two sets equal.
-#}
{% macro creator_reputation_indicators() -%}
    {{ return([
        {'indicator': 'content_negative_feedback_rate', 'dimension_key': 'content_experience',
         'numerator': 'negative_feedbacks', 'denominator': 'views'},
        {'indicator': 'false_claim_report_rate', 'dimension_key': 'content_experience',
         'numerator': 'false_claim_reports', 'denominator': 'views'},
        {'indicator': 'interaction_rate', 'dimension_key': 'content_experience',
         'numerator': 'interactions', 'denominator': 'views'},
        {'indicator': 'quality_refund_rate', 'dimension_key': 'product_experience',
         'numerator': 'quality_refund_orders', 'denominator': 'distribution_orders_30d'},
        {'indicator': 'negative_product_review_rate', 'dimension_key': 'product_experience',
         'numerator': 'negative_product_reviews', 'denominator': 'reviews'},
        {'indicator': 'timely_ship_rate', 'dimension_key': 'service_experience',
         'numerator': 'shipped_on_time_orders', 'denominator': 'ship_due_orders'},
        {'indicator': 'dispute_rate', 'dimension_key': 'service_experience',
         'numerator': 'dispute_orders', 'denominator': 'distribution_orders_30d'},
        {'indicator': 'negative_service_review_rate', 'dimension_key': 'service_experience',
         'numerator': 'negative_service_reviews', 'denominator': 'reviews'},
    ]) }}
{%- endmacro %}
