{{ config(alias='logistics_events') }}
{{ landing_quarantine('logistics_events') }}
