{{ landing_staged('orders', date_columns={'paid_date': 'paid_at'}) }}
