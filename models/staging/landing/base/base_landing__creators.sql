{{ config(unique_key='dt') }}
{{ landing_base('creators', key=['creator_id', 'updated_at'], kind='change',
    ts_column='updated_at', rules={
    'creator_level_not_in_enum': enum_violation('creator_level', ['head', 'waist', 'tail', 'new']),
    'negative_count': "r.fans_count < 0",
}) }}
