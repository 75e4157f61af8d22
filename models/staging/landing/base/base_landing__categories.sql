{{ config(unique_key='dt') }}
{{ landing_base('categories', key=['category_id', 'updated_at'], kind='change',
    ts_column='updated_at', rules={
    'level_out_of_range': enum_violation('level', [1, 2, 3]),
    'parent_inconsistent_with_level': "(r.level = 1 and r.parent_id is not null) or "
        ~ "(r.level in (2, 3) and r.parent_id is null)",
}) }}
