-- who and where, as statement_context() describes it (a test holds the two equal), for every
-- capture function (statement, row, TRUNCATE), read into plain variables: a composite costs far
-- more to build and to read fields from, and PL/pgSQL prepares every expression again in each
-- transaction's first call
v_txid bigint := pg_catalog.txid_current();
v_login_role text := session_user::text;
v_effective_role text := coalesce(nullif(pg_catalog.current_setting('role'), 'none'), session_user::text);
v_application_name text := pg_catalog.current_setting('application_name');
v_client_addr inet := pg_catalog.inet_client_addr();
v_request_id text := nullif(pg_catalog.current_setting('pgaudit.request_id', true), '');
v_trace_id text := nullif(pg_catalog.current_setting('pgaudit.trace_id', true), '');
