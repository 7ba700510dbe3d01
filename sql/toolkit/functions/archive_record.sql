-- archive_record: records an archive that pgaudit-kit archive wrote and read back: the manifest's
-- origin, sequence and SHA-256, its blocks and the head hash it signed. The head must be this
-- chain's block with that hash, so a record names only blocks sealed as the archive holds them
-- (one database may be archived into several folders: each records its own). Recorded as an
-- ARCHIVE event as well. What it cannot check is the folder itself: it is granted to admin roles
-- only, who are trusted to purge, and so to vouch that what purge drops lives on in an archive.
create or replace function {schema}.archive_record(p_origin text, p_sequence integer,
                                                   p_first_block bigint, p_last_block bigint,
                                                   p_head_hash bytea, p_rows bigint,
                                                   p_manifest_sha256 text)
returns integer
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    v_archive_id integer;
begin
    if not exists (select 1 from {schema}.blocks as b
                   where b.block_no = p_last_block and b.block_hash = p_head_hash) then
        raise exception 'pgaudit-kit: block % of this chain does not have the hash the archive signed', p_last_block
            using errcode = 'invalid_parameter_value';
    end if;
    if p_first_block < 1 or p_first_block > p_last_block then
        raise exception 'pgaudit-kit: an archive of blocks % to % holds no block', p_first_block, p_last_block
            using errcode = 'invalid_parameter_value';
    end if;
    insert into {schema}.archives (origin, sequence, first_block, last_block, head_hash,
                                   row_count, manifest_sha256)
    values (p_origin, p_sequence, p_first_block, p_last_block, p_head_hash, p_rows,
            p_manifest_sha256)
    returning archive_id into v_archive_id;
    perform {schema}.record_event('ARCHIVE', null, json_build_object(
        'archive_id', v_archive_id, 'origin', p_origin, 'sequence', p_sequence,
        'blocks', json_build_array(p_first_block, p_last_block),
        'head_hash', encode(p_head_hash, 'hex'), 'rows', p_rows,
        'manifest_sha256', p_manifest_sha256));
    return v_archive_id;
end
$pgaudit$;
