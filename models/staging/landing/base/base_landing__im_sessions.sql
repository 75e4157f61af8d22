{{ config(unique_key='dt') }}
{{ landing_base('im_sessions', key=['session_id'], kind='event', ts_column='started_at', rules={
    'satisfaction_not_in_enum': enum_violation('satisfaction', ['satisfied', 'neutral',
        'unsatisfied']),
    'reply_before_start': "r.first_reply_at < r.started_at",
    'shop_not_found': landing_fk_missing('shop_id', ref('base_landing__shops')),
}, recheck_rules=['shop_not_found']) }}
