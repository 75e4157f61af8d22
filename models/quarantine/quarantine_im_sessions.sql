{{ config(alias='im_sessions') }}
{{ landing_quarantine('im_sessions') }}
