{{ landing_staged('creators', entity_key=['creator_id']) }}
