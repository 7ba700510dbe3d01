-- locks: one row per job that must not run twice at once (seal, maintain). A run locks its row
-- FOR UPDATE NOWAIT (take_lock). Only the owner (and superusers) may lock these rows: nothing here
-- is granted, and a row lock needs UPDATE. An advisory lock, which any role may take, let any
-- session stop sealing while seal reported "nothing to seal".
create table {schema}.locks (
    name text primary key check (name in ('seal', 'maintain'))
);
insert into {schema}.locks (name) values ('seal'), ('maintain');
