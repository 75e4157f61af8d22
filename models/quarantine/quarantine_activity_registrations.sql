{{ config(alias='activity_registrations') }}
{{ landing_quarantine('activity_registrations') }}
