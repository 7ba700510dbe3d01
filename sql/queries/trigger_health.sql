select table_name, relation::text, trigger_name, state from {schema}.trigger_health()
