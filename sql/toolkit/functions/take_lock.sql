-- take_lock: locks one job's row of locks (seal, maintain) for the rest of the transaction and
-- returns NULL, or, when another session holds it, returns who does (pid, role, since when) for
-- the caller to refuse with: a caller who asked for work that did not happen hears why. SKIP
-- LOCKED rather than NOWAIT, so no subtransaction is needed: the holder is then found through the
-- transaction-id lock of the row's locker in pg_locks (a locker inside a subtransaction is not).
create or replace function {schema}.take_lock(p_name text) returns text
language plpgsql
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    v_holder text;
begin
    perform 1 from {schema}.locks as l where l.name = p_name for update skip locked;
    if found then
        return null;
    end if;
    select format('pid %s, role %s, since %s', a.pid, a.usename, a.xact_start) into v_holder
    from {schema}.locks as l
    join pg_locks as k on k.locktype = 'transactionid' and k.transactionid = l.xmax and k.granted
    join pg_stat_activity as a on a.pid = k.pid
    where l.name = p_name
    limit 1;
    return coalesce(v_holder, 'by a session not identified');
end
$pgaudit$;
