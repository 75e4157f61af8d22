{{ config(alias='live_sessions') }}
{{ landing_quarantine('live_sessions') }}
