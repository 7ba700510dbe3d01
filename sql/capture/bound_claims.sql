-- the client's claims, cut to claim_text's bound of 256 characters; they are almost never that
-- long, so claim_text runs only when all three together are
if pg_catalog.char_length(pg_catalog.concat(v_application_name, v_request_id, v_trace_id)) > 256 then
    v_application_name := {schema}.claim_text(v_application_name);
    v_request_id := {schema}.claim_text(v_request_id);
    v_trace_id := {schema}.claim_text(v_trace_id);
end if;
