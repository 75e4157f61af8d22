{{ landing_staged('live_sessions', date_columns={'started_date': 'started_at'}) }}
