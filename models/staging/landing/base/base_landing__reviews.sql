{{ config(unique_key='dt') }}
{{ landing_base('reviews', key=['review_id'], kind='event', ts_column='created_at', rules={
    'rating_out_of_range': "r.rating < 1 or r.rating > 5",
    'negative_aspect_not_in_enum': enum_violation('negative_aspect', ['product', 'logistics',
        'service']),
    'negative_aspect_on_positive_rating': "r.negative_aspect is not null and r.rating > "
        ~ "(select value from " ~ ref('core_params')
        ~ " where param = 'negative_review_max_rating')",
    'order_not_found': landing_fk_missing('order_id', ref('base_landing__orders')),
}, recheck_rules=['order_not_found']) }}
