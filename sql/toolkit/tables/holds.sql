-- holds: legal holds. A partition that overlaps an active hold (same table, or any table when the
-- hold names none; overlapping time range, open ends meaning unbounded) is never purged. Holds
-- and releases are also written to the log as HOLD events, so the trail proves them.
create table {schema}.holds (
    hold_id integer generated always as identity primary key,
    reason text not null check (reason <> ''),
    table_name text,
    from_time timestamptz,
    to_time timestamptz,
    created_at timestamptz not null default pg_catalog.now(),
    created_by text not null default session_user,
    released_at timestamptz,
    released_by text,
    release_reason text,
    check (from_time is null or to_time is null or from_time < to_time),
    check ((released_at is null) = (released_by is null))
);
