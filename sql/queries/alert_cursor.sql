select moved_at, moved_by from {schema}.alert_cursor
