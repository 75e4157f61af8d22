{{ config(alias='content_daily_stats') }}
{{ landing_quarantine('content_daily_stats') }}
