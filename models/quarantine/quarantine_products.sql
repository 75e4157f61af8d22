{{ config(alias='products') }}
{{ landing_quarantine('products') }}
