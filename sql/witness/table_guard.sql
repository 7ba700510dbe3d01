-- One witness table: refuse every change but INSERT, also from replication, and hand it to the
-- witness's owner; readers may select.
create trigger refuse_change before update or delete on {table}
    for each row execute function {schema}.refuse_change();
create trigger refuse_truncate before truncate on {table}
    for each statement execute function {schema}.refuse_change();
alter table {table} enable always trigger refuse_change;
alter table {table} enable always trigger refuse_truncate;
alter table {table} owner to {owner};
grant select on {table} to {readers};
