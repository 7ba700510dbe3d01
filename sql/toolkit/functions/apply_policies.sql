-- apply_policies: a row image under column policies looked up by name: p_values holds each
-- column's value as json, p_texts its text (both from image_sql); plain columns keep the value,
-- the others become what apply_policy makes of the text, omitted ones are left out. A column the
-- map does not name gets p_default (hash or omit), so a column added after apply is never stored
-- in plain text. Used by generic capture; fast capture calls apply_policy itself, with each
-- column's policy baked in, so a value hashes to the same token in both.
create or replace function {schema}.apply_policies(p_values jsonb, p_texts jsonb, p_policies jsonb,
                                                   p_default text, p_k_in bytea, p_k_out bytea)
returns json
language sql stable parallel safe
return (
    select coalesce(pg_catalog.json_object_agg(e.key,
               case coalesce(p_policies ->> e.key, p_default)
                   when 'plain' then e.value::json
                   else pg_catalog.to_json({schema}.apply_policy(
                       coalesce(p_policies ->> e.key, p_default), p_texts ->> e.key, p_k_in, p_k_out))
               end order by e.key), '{{}}'::json)
    from pg_catalog.jsonb_each(p_values) as e
    where coalesce(p_policies ->> e.key, p_default) <> 'omit'
);
