-- the key is read once per row, and only when a value is to be hashed
if v_k_in is null then
{read_key}
end if;
