{{ config(unique_key='dt') }}
{{ landing_base('products', key=['product_id', 'updated_at'], kind='change',
    ts_column='updated_at', rules={
    'status_not_in_enum': enum_violation('status', ['on_sale', 'off_shelf']),
    'promised_ship_hours_not_in_enum': enum_violation('promised_ship_hours', [24, 48, 72, 168]),
    'negative_amount': "r.list_price < 0",
    'negative_count': "r.main_image_count < 0",
    'rate_out_of_range': "r.attribute_fill_rate < 0 or r.attribute_fill_rate > 1",
    'shop_not_found': landing_fk_missing('shop_id', ref('base_landing__shops')),
    'category_not_found': landing_fk_missing('category_id', ref('base_landing__categories')),
}, recheck_rules=['shop_not_found', 'category_not_found']) }}
