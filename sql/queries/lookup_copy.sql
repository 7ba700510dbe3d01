copy pg_temp.pgaudit_lookup_value (value) from stdin
