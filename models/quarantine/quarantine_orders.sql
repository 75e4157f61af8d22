{{ config(alias='orders') }}
{{ landing_quarantine('orders') }}
