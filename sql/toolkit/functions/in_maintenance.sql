-- in_maintenance: true inside a transaction pgaudit-kit opened for its own changes (see the
-- maintenance table). The guard consults it before refusing DDL on the trail.
create or replace function {schema}.in_maintenance() returns boolean
language sql stable parallel safe
return exists (
    select 1 from {schema}.maintenance m
    where m.txid = pg_catalog.pg_current_xact_id_if_assigned()::text::bigint
);
