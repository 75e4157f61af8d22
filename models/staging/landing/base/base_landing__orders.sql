{{ config(unique_key='dt') }}
{{ landing_base('orders', key=['order_id'], kind='event', ts_column='paid_at', rules={
    'channel_not_in_enum': enum_violation('channel', ['self_live', 'creator_live', 'short_video',
        'shelf']),
    'promised_ship_hours_not_in_enum': enum_violation('promised_ship_hours', [24, 48, 72, 168]),
    'quantity_below_one': "r.quantity < 1",
    'negative_amount': "r.pay_amount < 0",
    'rate_out_of_range': "r.commission_rate < 0 or r.commission_rate > 1",
    'commission_rate_without_creator': "(r.creator_id is null) <> (r.commission_rate is null)",
    'shop_not_found': landing_fk_missing('shop_id', ref('base_landing__shops')),
    'product_not_found': landing_fk_missing('product_id', ref('base_landing__products')),
    'creator_not_found': landing_fk_missing('creator_id', ref('base_landing__creators')),
}, recheck_rules=['shop_not_found', 'product_not_found', 'creator_not_found']) }}
