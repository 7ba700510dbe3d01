-- archives (revision 0008): each archive pgaudit-kit archive wrote and checked back from disk,
-- recorded by archive_record: its manifest's sequence and SHA-256, the blocks it holds and the
-- head hash it signed (held to blocks when recorded). purge drops a partition of a tiered
-- retention class only when an archive holds each of its blocks; the PURGE event names them.
create table {schema}.archives (
    archive_id integer generated always as identity primary key,
    origin text not null,
    sequence integer not null check (sequence > 0),
    first_block bigint not null check (first_block > 0),
    last_block bigint not null,
    head_hash bytea not null,
    row_count bigint not null check (row_count >= 0),
    manifest_sha256 text not null check (manifest_sha256 ~ '^[0-9a-f]{{64}}$'),
    recorded_at timestamptz not null default pg_catalog.now(),
    recorded_by text not null default session_user,
    check (last_block >= first_block)
);
