-- alert_cursor (revision 0008): how far pgaudit-kit alerts has judged the log, as a transaction
-- horizon: every row with txid below it was judged once. Rows below a horizon are all committed
-- or rolled back, so a transaction committing late is never skipped. One row; moved only by
-- alerts_advance, forwards, and never past the current horizon.
create table {schema}.alert_cursor (
    singleton boolean primary key default true check (singleton),
    horizon bigint not null default 0 check (horizon >= 0),
    moved_at timestamptz,
    moved_by text
);
insert into {schema}.alert_cursor default values;
