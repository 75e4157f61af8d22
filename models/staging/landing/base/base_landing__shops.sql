{{ config(unique_key='dt') }}
{{ landing_base('shops', key=['shop_id', 'updated_at'], kind='change', ts_column='updated_at',
    rules={
    'shop_type_not_in_enum': enum_violation('shop_type', ['enterprise', 'individual', 'personal']),
    'status_not_in_enum': enum_violation('status', ['active', 'closed']),
    'main_category_not_found': landing_fk_missing('main_category_id',
        ref('base_landing__categories'), 'category_id'),
}, recheck_rules=['main_category_not_found']) }}
