-- Records the fingerprint of a toolkit function apply has just put back from its template.
select {schema}.record_function_digests(array(
    select p.oid from pg_catalog.pg_proc as p
    where p.pronamespace = {schema_name}::regnamespace and p.proname = {function_name}));
