{{ landing_staged('reviews', date_columns={'created_date': 'created_at'}) }}
