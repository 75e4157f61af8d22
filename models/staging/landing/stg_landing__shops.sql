{{ landing_staged('shops', entity_key=['shop_id']) }}
