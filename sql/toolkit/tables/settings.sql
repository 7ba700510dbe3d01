-- settings: choices of the toolkit that its SQL functions read. One row.
-- partition_interval is the width of a log partition and of a sealing bucket: a block holds rows
-- of one bucket only, so dropping an expired partition drops whole blocks. chain_id names this
-- chain in signed digests, so a digest can only vouch for the chain it was made from.
create table {schema}.settings (
    singleton boolean primary key default true check (singleton),
    partition_interval text not null default 'month'
        check (partition_interval in ('day', 'week', 'month')),
    chain_id uuid not null default gen_random_uuid()
);
insert into {schema}.settings default values;
