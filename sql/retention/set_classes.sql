-- The retention classes of pgaudit.toml ([retention]), exactly: classes no longer listed go.
-- archive_keep is set for tiered classes (hot and keep) and null for the others.
delete from {schema}.retention_classes where name <> all({names}::text[]);
insert into {schema}.retention_classes (name, keep, archive_keep)
select u.name, u.keep, u.archive_keep
from unnest({names}::text[], {periods}::interval[], {archive_periods}::interval[])
    as u(name, keep, archive_keep)
on conflict (name) do update set keep = excluded.keep, archive_keep = excluded.archive_keep;
