{{ landing_staged('im_sessions', date_columns={'started_date': 'started_at'}) }}
