-- statement_context: the caller, as seen from inside a SECURITY DEFINER capture function. There
-- current_user is the audit owner, so the effective role is read from the "role" setting that
-- SET ROLE changes ('none': no SET ROLE, the session user acts). application_name, request_id and
-- trace_id are the client's own claims (set_config('pgaudit.request_id', $1, true)), stored as
-- given up to claim_text's bound (a client must not be able to make every audit row it causes a
-- megabyte); an unset or reset custom setting reads as '' and is stored as NULL.
create or replace function {schema}.statement_context() returns {schema}.statement_context
language sql volatile
return row(
    pg_catalog.pg_current_xact_id()::text::bigint,
    session_user::text,
    case pg_catalog.current_setting('role')
        when 'none' then session_user::text
        else pg_catalog.current_setting('role')
    end,
    {schema}.claim_text(pg_catalog.current_setting('application_name')),
    pg_catalog.inet_client_addr(),
    {schema}.claim_text(nullif(pg_catalog.current_setting('pgaudit.request_id', true), '')),
    {schema}.claim_text(nullif(pg_catalog.current_setting('pgaudit.trace_id', true), ''))
)::{schema}.statement_context;
