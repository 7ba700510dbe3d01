-- copy_text: one field as COPY ... TO STDOUT writes it in text format: NULL as \N; backslash,
-- backspace, form feed, newline, carriage return, tab and vertical tab escaped. The canonical
-- encoding of the chain (chain.py); its Python twin is chain.copy_text. Vertical tab is
-- chr(11) because E'\v' is no escape in PostgreSQL 15 (it reads as a plain v).
create or replace function {schema}.copy_text(p_value text) returns text
language sql immutable parallel safe
return case
    when p_value is null then E'\\N'
    else pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
         pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(p_value,
             E'\\', E'\\\\'), E'\b', E'\\b'), E'\f', E'\\f'), E'\n', E'\\n'),
             E'\r', E'\\r'), E'\t', E'\\t'), pg_catalog.chr(11), E'\\v')
end;
