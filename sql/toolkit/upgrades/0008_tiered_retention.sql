-- Revision 0008 on an installed 0007: tiered retention. A class may keep its rows in the database
-- for a while (keep) and in archives for longer (archive_keep); archives records what archive
-- wrote, and purge drops a tiered class's partitions only once archived. The alert cursor comes
-- with it (alert_cursor, alerts_advance).
alter table {schema}.retention_classes
    add column archive_keep interval check (archive_keep >= keep);
