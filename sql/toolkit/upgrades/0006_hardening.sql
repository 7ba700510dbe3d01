-- Revision 0006 on an installed 0005: what the hardened guard and health checks keep. members
-- lists the partitions of each audited partitioned table the guard has accepted (so a partition
-- that joins or leaves with rows is refused once, when it does); it is read from the catalog now
-- for tables already audited. locks replaces the advisory locks of seal and maintain, which any
-- role could take; function_digests holds the fingerprints integrity() checks, recorded at the
-- end of this revision.
alter table {schema}.audited_tables add column members oid[];
update {schema}.audited_tables as t
set members = coalesce((select pg_catalog.array_agg(p.relid::oid order by p.relid::oid)
                        from pg_catalog.pg_partition_tree(t.relid::regclass) as p
                        where p.relid <> t.relid::regclass), '{{}}')
where t.partitioned;
-- The retention in force, as the CONFIG event verify replays to judge each purge by (apply
-- records every later change); periods as PostgreSQL prints them by default.
set local intervalstyle = 'postgres';
select {schema}.record_event('CONFIG', null, pg_catalog.json_build_object('action', 'retention',
    'classes', (select coalesce(pg_catalog.json_object_agg(r.name, r.keep::text), '{{}}')
                from {schema}.retention_classes as r)));
