-- Revision 0006, last: tables captured generically when it is installed get bodies that no longer
-- call to_jsonb (which runs the casts a type's owner may add), and the apply_policies they used
-- goes.
select {schema}.capture_generically(t.relid)
from {schema}.audited_tables as t
where t.capture_mode = 'generic';
drop function {schema}.apply_policies(jsonb, jsonb, text, bytea, bytea);
