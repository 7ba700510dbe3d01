-- redact: for a legal erasure order, replaces a sealed row's old and new values with a marker
-- ({{"redacted": true}}; a NULL image stays NULL) and records the payload digest its leaf commits
-- to, so the chain still verifies. Only sealed rows (an unsealed row has no leaf yet: seal first)
-- and only once. The REDACT event (row id, reason, both digests; never the erased values) is
-- sealed like any change. SECURITY DEFINER, granted to admin roles only.
create or replace function {schema}.redact(p_row_id bigint, p_reason text)
returns {schema}.redactions
language plpgsql security definer
set search_path = pg_catalog, pg_temp
{pinned_settings}as $pgaudit$
declare
    v_row {schema}.log_rows;
    v_done {schema}.redactions;
    v_sealed_to bigint;
    v_before text;
begin
    if coalesce(btrim(p_reason), '') = '' then
        raise exception 'pgaudit-kit: a redaction needs a reason (the erasure order it carries out)'
            using errcode = 'invalid_parameter_value';
    end if;
    select * into v_row from {schema}.log_rows as l where l.id = p_row_id for update;
    if not found then
        raise exception 'pgaudit-kit: audit row % does not exist', p_row_id
            using errcode = 'no_data_found';
    end if;
    if exists (select 1 from {schema}.redactions as r where r.row_id = p_row_id) then
        raise exception 'pgaudit-kit: audit row % is already redacted', p_row_id
            using errcode = 'unique_violation';
    end if;
    select max(b.txid_hi) into v_sealed_to from {schema}.blocks as b;
    if v_sealed_to is null or v_row.txid >= v_sealed_to then
        raise exception 'pgaudit-kit: audit row % is not sealed yet', p_row_id
            using errcode = 'object_not_in_prerequisite_state',
                  hint = 'run pgaudit-kit seal first';
    end if;
    v_before := {schema}.payload_digest(v_row);
    update {schema}.log_rows as l
    set old_values = case when l.old_values is not null then json_build_object('redacted', true) end,
        new_values = case when l.new_values is not null then json_build_object('redacted', true) end
    where l.id = p_row_id and l.tx_time = v_row.tx_time
    returning * into v_row;
    insert into {schema}.redactions (row_id, reason, redacted_by, payload_digest, redacted_digest)
    values (p_row_id, p_reason, session_user, v_before, {schema}.payload_digest(v_row))
    returning * into v_done;
    perform {schema}.record_event('REDACT', v_row.table_name, json_build_object(
        'row_id', p_row_id, 'reason', p_reason, 'payload_digest', v_done.payload_digest,
        'redacted_digest', v_done.redacted_digest));
    return v_done;
end
$pgaudit$;
