{{ landing_staged('refunds', entity_key=['refund_id']) }}
