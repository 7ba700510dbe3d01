-- PARTITION OF with its own constraints, and DETACH PARTITION.
create table p (id int, k text, g int generated always as (id * 2) stored, primary key (id, k)) partition by list (k);
create table p1 partition of p (constraint p1_extra unique (k, id), g not null) for values in ('a') partition by range (id);
create table p1a partition of p1 for values from (0) to (10);
create table p1b partition of p1 for values from (10) to (20);
create table p2 partition of p for values in ('b');
alter table p detach partition p2;
comment on column p1a.k is 'pgaudit:hash';
