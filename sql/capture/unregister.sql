-- Stops auditing a table: its capture functions go (with the triggers that use them) and so does
-- its registry row, found by name so that the same SQL works on every copy of the database.
-- Audit rows already written stay; the dropped functions' fingerprints go.
drop function if exists {functions} cascade;
delete from {schema}.audited_tables where table_name = {table_name};
select {schema}.record_function_digests(array[]::oid[]);
