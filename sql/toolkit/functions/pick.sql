-- pick: the members of a jsonb object named in p_keys (those it has).
create or replace function {schema}.pick(p_row jsonb, p_keys text[]) returns jsonb
language sql immutable parallel safe
return (
    select coalesce(pg_catalog.jsonb_object_agg(k.name, p_row -> k.name), '{{}}'::jsonb)
    from pg_catalog.unnest(p_keys) as k(name)
    where p_row ? k.name
);
