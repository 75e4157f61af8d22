{{ config(alias='shops') }}
{{ landing_quarantine('shops') }}
