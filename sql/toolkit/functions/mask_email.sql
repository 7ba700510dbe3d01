-- mask_email: 'alice@example.com' -> 'al***@example.com'. At most two characters of the local part
-- (everything before the last '@') and never all of it; text without '@' becomes '***'.
-- Not STRICT (NULL is handled in the CASE) and free of regular expressions, so PostgreSQL inlines
-- it into capture's queries. Python twin: policies.mask_email.
create or replace function {schema}.mask_email(p_value text) returns text
language sql immutable parallel safe
return case
    when p_value is null then null
    when pg_catalog.strpos(p_value, '@') = 0 then '***'
    else pg_catalog.left(p_value,
             greatest(0, least(2, pg_catalog.char_length(p_value)
                                  - pg_catalog.strpos(pg_catalog.reverse(p_value), '@') - 1)))
         || '***@'
         || pg_catalog.right(p_value, pg_catalog.strpos(pg_catalog.reverse(p_value), '@') - 1)
end;
