{{ config(alias='refunds') }}
{{ landing_quarantine('refunds') }}
