{{ config(alias='categories') }}
{{ landing_quarantine('categories') }}
