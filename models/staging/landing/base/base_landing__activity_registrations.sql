{{ config(unique_key='dt') }}
{{ landing_base('activity_registrations', key=['activity_id', 'product_id', 'updated_at'],
    kind='change', ts_column='updated_at', rules={
    'status_not_in_enum': enum_violation('status', ['approved', 'withdrawn']),
    'activity_not_found': "not exists (select 1 from " ~ ref('chuanliu_activities')
        ~ " a where a.activity_id = r.activity_id)",
    'product_not_found': landing_fk_missing('product_id', ref('base_landing__products')),
    'shop_not_found': landing_fk_missing('shop_id', ref('base_landing__shops')),
}, recheck_rules=['product_not_found', 'shop_not_found']) }}
