-- claim_text: a client's claim (application_name, request_id, trace_id) as the trail stores it: at
-- most 256 characters; a longer one keeps its first 240 and ends with the marker '...[truncated]',
-- so a cut value never passes for a whole one. Python twin: policies.claim_text.
create or replace function {schema}.claim_text(p_value text) returns text
language sql immutable parallel safe
return case
    when pg_catalog.char_length(p_value) <= 256 then p_value
    else pg_catalog.left(p_value, 240) || '...[truncated]'
end;
