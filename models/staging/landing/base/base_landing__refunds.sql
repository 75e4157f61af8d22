{{ config(unique_key='dt') }}
{%- set orders = ref('base_landing__orders') -%}
{{ landing_base('refunds', key=['refund_id', 'updated_at'], kind='change', ts_column='updated_at',
    rules={
    'refund_type_not_in_enum': enum_violation('refund_type', ['refund_only', 'return_refund']),
    'reason_not_in_enum': enum_violation('reason', ['quality', 'not_as_described', 'damaged',
        'wrong_item', 'logistics', 'no_reason', 'other']),
    'status_not_in_enum': enum_violation('status', ['pending', 'completed', 'rejected',
        'cancelled']),
    'negative_amount': "r.refund_amount < 0",
    'completed_at_missing': "r.status in ('completed', 'rejected', 'cancelled') and "
        ~ "r.completed_at is null",
    'completed_before_requested': "r.completed_at < r.requested_at",
    'order_not_found': landing_fk_missing('order_id', orders),
    'refund_exceeds_order': "exists (select 1 from " ~ orders ~ " o where o.order_id = r.order_id "
        ~ "and o.row_status = 'staged' and r.refund_amount > o.pay_amount)",
}, recheck_rules=['order_not_found']) }}
