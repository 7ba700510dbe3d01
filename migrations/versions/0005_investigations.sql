-- Frozen SQL of toolkit schema revision 0005: investigations: lookup by value, key shredding, redaction.
-- Written by tools/freeze_revision.py from: toolkit/tables/redactions.sql, toolkit/functions/payload_digest.sql, toolkit/functions/shred_key.sql, toolkit/functions/redact.sql, toolkit/functions/lookup.sql, toolkit/privileges.sql.
-- Never edit: installed databases depend on it. Add a new revision instead.

-- redactions: sealed rows whose payload (old and new values) a legal erasure order replaced with
-- a marker. A row's leaf commits to the hash of its payload, not the payload (chain.py), so the
-- chain still verifies: verify takes the leaf's payload hash from here, and checks the row now
-- holds exactly the redacted payload (redacted_digest). Each redaction is also a REDACT event,
-- sealed like any change, so a redaction row nobody recorded is reported, not trusted.
create table {schema}.redactions (
    row_id bigint primary key,
    redacted_at timestamptz not null default pg_catalog.now(),
    reason text not null check (pg_catalog.btrim(reason) <> ''),
    redacted_by text not null,
    -- hex SHA-256 of the payload line (row_key, old_values, new_values in COPY text) before...
    payload_digest text not null,
    -- ...and after the redaction
    redacted_digest text not null
);

-- payload_digest: the hex SHA-256 of a log row's payload line as verify reads it (row_key,
-- old_values, new_values in COPY text, tab-separated), the value its leaf commits to (row_leaf).
-- Values render under the caller's settings: callers pin the canonical ones, as seal() does.
create or replace function {schema}.payload_digest(p_row {schema}.log_rows) returns text
language sql stable parallel safe
return pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
    {schema}.copy_text(p_row.row_key::text) || E'\t' ||
    {schema}.copy_text(p_row.old_values::text) || E'\t' ||
    {schema}.copy_text(p_row.new_values::text), 'UTF8')), 'hex');

-- shred_key: crypto-shredding. Destroys a key's material (its pads become NULL; id, dates and the
-- reason stay), so its tokens can never again be linked to a value, by anyone. Rows keep their
-- tokens and hashes, so the chain still verifies. Shredding the current key first rotates to a
-- new one, so capture goes on. Recorded as a KEY event; SECURITY DEFINER, for admin roles only.
create or replace function {schema}.shred_key(p_key_id integer, p_reason text)
returns void
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    v_key {schema}.hmac_keys;
begin
    if coalesce(btrim(p_reason), '') = '' then
        raise exception 'pgaudit-kit: shredding a key needs a reason'
            using errcode = 'invalid_parameter_value';
    end if;
    select * into v_key from {schema}.hmac_keys as k where k.key_id = p_key_id for update;
    if not found then
        raise exception 'pgaudit-kit: key % does not exist', p_key_id
            using errcode = 'no_data_found', hint = 'pgaudit-kit status lists the key ids';
    end if;
    if v_key.shredded_at is not null then
        raise exception 'pgaudit-kit: key % was already shredded on %', p_key_id, v_key.shredded_at
            using errcode = 'object_not_in_prerequisite_state';
    end if;
    if v_key.retired_at is null then
        perform {schema}.rotate_key();
    end if;
    update {schema}.hmac_keys as k
    set k_in = null, k_out = null, shredded_at = now(), shred_reason = p_reason,
        retired_at = coalesce(k.retired_at, now())
    where k.key_id = p_key_id;
    perform {schema}.record_event('KEY', null, json_build_object(
        'action', 'shred', 'key_id', p_key_id, 'reason', p_reason));
end
$pgaudit$;

-- redact: for a legal erasure order, replaces a sealed row's old and new values with a marker
-- ({{"redacted": true}}; a NULL image stays NULL) and records the payload digest its leaf commits
-- to, so the chain still verifies. Only sealed rows (an unsealed row has no leaf yet: seal first)
-- and only once. The REDACT event (row id, reason, both digests; never the erased values) is
-- sealed like any change. SECURITY DEFINER, granted to admin roles only.
create or replace function {schema}.redact(p_row_id bigint, p_reason text)
returns {schema}.redactions
language plpgsql security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
set intervalstyle = 'postgres'
set extra_float_digits = 1
set bytea_output = 'hex'
as $pgaudit$
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

-- lookup: the audit rows of one table whose hashed column held a value, under every key that is
-- not shredded. The value comes in, its token is computed here, and only row ids and metadata
-- go out: the key never leaves the database, and nothing returned holds the value. Each lookup
-- is a LOOKUP event naming who asked, for which table and column, and how many rows matched;
-- never the value. SECURITY DEFINER, granted to investigator roles only.
create or replace function {schema}.lookup(p_table_name text, p_column text, p_value text)
returns table (id bigint, txid bigint, tx_time timestamptz, op text, row_key json,
               in_old boolean, in_new boolean, key_id integer)
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    v_matches bigint;
begin
    if p_value is null or p_value = '' then
        raise exception 'pgaudit-kit: nothing to look up: the value is empty'
            using errcode = 'invalid_parameter_value';
    end if;
    if not exists (select 1 from {schema}.audited_tables as a
                   where a.table_name = p_table_name
                     and (a.policies ->> p_column = 'hash'
                          or a.generic_policies ->> p_column = 'hash')) then
        raise exception 'pgaudit-kit: %.% is not a hashed column of an audited table',
            p_table_name, p_column
            using errcode = 'invalid_parameter_value',
                  hint = 'only hash-policy columns can be looked up; status lists them';
    end if;
    return query
    with tokens as (
        select k.key_id, {schema}.hmac_token(p_value, k.k_in, k.k_out) as token
        from {schema}.hmac_keys as k
        where k.shredded_at is null
    )
    select l.id, l.txid, l.tx_time, l.op, l.row_key,
           coalesce(l.old_values ->> p_column = t.token, false),
           coalesce(l.new_values ->> p_column = t.token, false),
           l.key_id
    from {schema}.log_rows as l
    join tokens as t on t.key_id = l.key_id
    where l.table_name = p_table_name
      and (l.old_values ->> p_column = t.token or l.new_values ->> p_column = t.token
           or l.row_key ->> p_column = t.token)
    order by l.id;
    get diagnostics v_matches = row_count;
    perform {schema}.record_event('LOOKUP', p_table_name, json_build_object(
        'column', p_column, 'matches', v_matches));
end
$pgaudit$;

-- Nothing in the audit schema is granted to PUBLIC (functions and types are, by default, so that
-- is revoked explicitly). Grants to the configured auditor roles are made by apply, from the config.
revoke all on schema {schema} from public;
revoke all on all tables in schema {schema} from public;
revoke all on all sequences in schema {schema} from public;
revoke all on all functions in schema {schema} from public;
revoke all on type {schema}.statement_context from public;
