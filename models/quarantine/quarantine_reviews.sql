{{ config(alias='reviews') }}
{{ landing_quarantine('reviews') }}
