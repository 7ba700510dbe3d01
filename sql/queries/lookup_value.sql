-- Where lookup's value waits for the query that uses it, for this transaction only (see lookup.sql).
create temporary table if not exists pgaudit_lookup_value (value text) on commit drop
