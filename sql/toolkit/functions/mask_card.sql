-- mask_card: keeps the last four digits of a card number of 12 or more digits, in the usual
-- '****-****-****-1234' shape; anything shorter becomes '****'. Digits are kept with a double
-- translate() (remove the digits, then remove what is left) rather than a regular expression, and
-- the function is not STRICT, so it inlines. Python twin: policies.mask_card.
create or replace function {schema}.mask_card(p_value text) returns text
language sql immutable parallel safe
return case
    when p_value is null then null
    when pg_catalog.char_length(pg_catalog.translate(p_value,
             pg_catalog.translate(p_value, '0123456789', ''), '')) >= 12
        then '****-****-****-' || pg_catalog.right(pg_catalog.translate(p_value,
             pg_catalog.translate(p_value, '0123456789', ''), ''), 4)
    else '****'
end;
