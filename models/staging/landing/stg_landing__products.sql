{{ landing_staged('products', entity_key=['product_id']) }}
