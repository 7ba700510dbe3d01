-- statement_context: who and where a change came from. Every capture function gathers it once per
-- statement (or row) through statement_context(), so all audit rows describe callers the same way.
create type {schema}.statement_context as (
    txid bigint,
    login_role text,
    effective_role text,
    application_name text,
    client_addr inet,
    request_id text,
    trace_id text
);
