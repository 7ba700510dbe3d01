-- retention_classes: how long each class keeps its rows ([retention] in pgaudit.toml, set by
-- apply). A partition is purged only when its end plus the longest class of the tables whose rows
-- it holds has passed; events that belong to no table (CONFIG, DDL, KEY, HOLD, PURGE) follow the
-- class named default. A class that is not listed keeps its rows for ever. archive_keep (revision
-- 0008) makes a class tiered: keep is then how long its rows stay in the database ("hot"),
-- archive_keep how long archives keep them, and purge drops its partitions only once archived.
create table {schema}.retention_classes (
    name text primary key,
    keep interval not null check (keep > interval '0'),
    archive_keep interval check (archive_keep >= keep)
);
