-- merkle_root: RFC 9162 Merkle tree hash of leaves packed 32 bytes apiece, computed level by
-- level: pair neighbours (node = SHA-256(0x01 || left || right)) and carry an odd last node up
-- unchanged, which builds the same tree as splitting at the largest power of two below n.
-- Slicing a packed bytea is O(1), unlike indexing an array of bytea. Twin: chain.merkle_root.
create or replace function {schema}.merkle_root(p_leaves bytea) returns bytea
language plpgsql immutable strict parallel safe
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    v_level bytea := p_leaves;
    v_count integer := octet_length(p_leaves) / 32;
begin
    if v_count = 0 or octet_length(p_leaves) % 32 <> 0 then
        raise exception 'pgaudit-kit: merkle_root needs one or more 32-byte leaves, got % bytes',
            octet_length(p_leaves);
    end if;
    while v_count > 1 loop
        select string_agg(
                   case when 2 * i + 1 < v_count
                        then sha256('\x01'::bytea || substring(v_level from 64 * i + 1 for 64))
                        else substring(v_level from 64 * i + 1 for 32)
                   end, ''::bytea order by i)
        into v_level
        from generate_series(0, (v_count + 1) / 2 - 1) as i;
        v_count := (v_count + 1) / 2;
    end loop;
    return v_level;
end
$pgaudit$;
