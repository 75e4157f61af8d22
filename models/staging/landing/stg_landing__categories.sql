{{ landing_staged('categories', entity_key=['category_id']) }}
