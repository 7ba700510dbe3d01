-- mask_card: '4111 1111 1111 1234' -> '****-****-****-1234'. Only a value that is a card number
-- (13 to 19 digits, spaces or dashes allowed between them) shows its last four digits; anything
-- else (free text, a short number, digits with words around them, where a CVV would show) is
-- '****'. translate() rather than a regular expression, and not STRICT, so it inlines into
-- capture's queries. Python twin: policies.mask_card.
create or replace function {schema}.mask_card(p_value text) returns text
language sql immutable parallel safe
return case
    when p_value is null then null
    when pg_catalog.translate(pg_catalog.translate(p_value, ' -', ''), '0123456789', '') = ''
         and pg_catalog.char_length(pg_catalog.translate(p_value, ' -', '')) between 13 and 19
        then '****-****-****-' || pg_catalog.right(pg_catalog.translate(p_value, ' -', ''), 4)
    else '****'
end;
