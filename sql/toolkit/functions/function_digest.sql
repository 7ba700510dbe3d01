-- function_digest: the fingerprint of one function: SHA-256 of its full definition as
-- pg_get_functiondef prints it (body, language, SECURITY DEFINER, pinned settings) and its owner.
-- Grants are left out: apply changes them, and check compares them on their own.
create or replace function {schema}.function_digest(p_function oid) returns text
language sql stable
return (
    select pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
               pg_catalog.pg_get_functiondef(p.oid) || E'\n'
               || pg_catalog.pg_get_userbyid(p.proowner), 'UTF8')), 'hex')
    from pg_catalog.pg_proc as p
    where p.oid = p_function
);
