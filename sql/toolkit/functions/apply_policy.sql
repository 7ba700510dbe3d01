-- apply_policy: what the trail stores of one value's text under a policy other than plain: the
-- 'hmac:' token under the given key, a mask, or NULL for omit. The one definition of policies in
-- SQL: fast capture calls it with the policy as a constant (PostgreSQL inlines the function and
-- folds the CASE, so it costs what calling hmac_token or mask_card directly costs), generic
-- capture with each column's policy from the registry (apply_policies). Plain values are stored
-- by the callers as json. Python twins: policies.hmac_token_from_pads and policies.apply_mask.
create or replace function {schema}.apply_policy(p_policy text, p_text text, p_k_in bytea,
                                                 p_k_out bytea)
returns text
language sql stable parallel safe
return case p_policy
    when 'hash' then {schema}.hmac_token(p_text, p_k_in, p_k_out)
    when 'mask:email' then {schema}.mask_email(p_text)
    when 'mask:card' then {schema}.mask_card(p_text)
    when 'mask:last4' then {schema}.mask_last4(p_text)
end;
