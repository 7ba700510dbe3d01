-- maintenance_runs: one row per maintain() call, so status can show when maintenance last ran
-- and how it went (pg_partman's lesson: make the last run and its outcome visible).
create table {schema}.maintenance_runs (
    run_id bigint generated always as identity primary key,
    started_at timestamptz not null,
    finished_at timestamptz not null,
    ok boolean not null,
    summary json not null
);
