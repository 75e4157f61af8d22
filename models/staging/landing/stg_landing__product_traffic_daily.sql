{{ landing_staged('product_traffic_daily') }}
