{{ config(unique_key='dt') }}
{{ landing_base('product_traffic_daily', key=['dt', 'product_id', 'channel'], kind='event', rules={
    'channel_not_in_enum': enum_violation('channel', ['live', 'short_video', 'shelf']),
    'negative_count': "r.exposures < 0 or r.visits < 0",
    'product_not_found': landing_fk_missing('product_id', ref('base_landing__products')),
}, recheck_rules=['product_not_found']) }}
