{{ landing_staged('content_daily_stats') }}
