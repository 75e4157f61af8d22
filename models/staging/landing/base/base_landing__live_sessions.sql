{{ config(unique_key='dt') }}
{{ landing_base('live_sessions', key=['live_session_id'], kind='event', ts_column='started_at',
    rules={
    'host_type_not_in_enum': enum_violation('host_type', ['shop', 'creator']),
    'ended_not_after_started': "r.ended_at <= r.started_at",
    'session_longer_than_max_days': "r.ended_at > cast(" ~ add_days('r.started_at',
        var('max_live_session_days')) ~ " as timestamp)",
    'host_id_missing': "(r.host_type = 'shop' and r.shop_id is null) or "
        ~ "(r.host_type = 'creator' and r.creator_id is null)",
    'negative_count': "r.exposures < 0 or r.views < 0",
    'shop_not_found': landing_fk_missing('shop_id', ref('base_landing__shops')),
    'creator_not_found': landing_fk_missing('creator_id', ref('base_landing__creators')),
}, recheck_rules=['shop_not_found', 'creator_not_found']) }}
