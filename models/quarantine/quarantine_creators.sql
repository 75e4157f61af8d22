{{ config(alias='creators') }}
{{ landing_quarantine('creators') }}
