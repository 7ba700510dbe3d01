-- text_of: a value of a created type (an enum, composite, range or domain someone owns, an array
-- of one, an extension's type) as text, by its type's output function alone. format('%s') calls
-- the output function, PostgreSQL's own for every such type (only a superuser creates base types),
-- and looks up no cast, so a cast to text or json its owner adds never runs inside capture, as
-- the audit owner. NULL stays NULL (num_nulls, not IS NULL, which is row-wise for composites).
-- A quoted body, as a polymorphic SQL function must have. Python: generate.rendered_text.
create or replace function {schema}.text_of(p_value anyelement) returns text
language sql stable parallel safe
set search_path = pg_catalog, pg_temp
as $pgaudit$
    select case pg_catalog.num_nulls(p_value) when 0 then pg_catalog.format('%s', p_value) end
$pgaudit$;
