{{ landing_staged('logistics_events', date_columns={'event_date': 'event_at'}) }}
