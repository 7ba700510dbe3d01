-- maintenance: one row per transaction in which pgaudit-kit itself changes audit objects (apply,
-- upgrade, uninstall, purge). The event-trigger guard lets DDL touch the trail only inside such a
-- transaction. Only the owner (and superusers) can insert here, so the app cannot open a window for
-- itself; the rows stay as a history of maintenance.
create table {schema}.maintenance (
    txid bigint primary key,
    started_at timestamptz not null default pg_catalog.now(),
    login_role text not null default session_user,
    command text not null
);
insert into {schema}.maintenance (txid, command)
values (pg_catalog.pg_current_xact_id()::text::bigint, 'install');
