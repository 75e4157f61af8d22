{{ config(alias='product_traffic_daily') }}
{{ landing_quarantine('product_traffic_daily') }}
