-- The retention classes of pgaudit.toml ([retention]), exactly: classes no longer listed go.
delete from {schema}.retention_classes where name <> all({names}::text[]);
insert into {schema}.retention_classes (name, keep)
select u.name, u.keep from unnest({names}::text[], {periods}::interval[]) as u(name, keep)
on conflict (name) do update set keep = excluded.keep;
