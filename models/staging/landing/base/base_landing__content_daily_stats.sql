{{ config(unique_key='dt') }}
{{ landing_base('content_daily_stats', key=['dt', 'content_type', 'content_id'], kind='event',
    rules={
    'content_type_not_in_enum': enum_violation('content_type', ['live', 'video']),
    'author_type_not_in_enum': enum_violation('author_type', ['shop', 'creator']),
    'negative_count': "r.views < 0 or r.interactions < 0 or r.negative_feedbacks < 0 or "
        ~ "r.false_claim_reports < 0",
}) }}
