-- Partitions created later by the table owner grant TRIGGER to the audit owner, so the guard can
-- give each new partition its audit TRUNCATE trigger (PostgreSQL clones row triggers, not those).
alter default privileges for role {table_owner} in schema {table_schema}
    grant trigger on tables to {owner};
