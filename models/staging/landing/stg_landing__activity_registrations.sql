{{ landing_staged('activity_registrations', entity_key=['activity_id', 'product_id']) }}
