-- Partitions two levels deep, created and attached, with the parent's keys and a column added later.
create table o (id int, d date, code text not null, unique (code, d, id), primary key (id, d)) partition by range (d);
create unique index on o (d, id);
create table o1 partition of o for values from ('2020-01-01') to ('2021-01-01') partition by list (id);
create table o1a partition of o1 for values in (1);
create table o1b partition of o1 default;
create table o2 (id int not null, d date not null, code text not null, constraint o2_own unique (code, d, id));
create unique index o2_x on o2 (id, d);
alter table o attach partition o2 for values from ('2021-01-01') to ('2022-01-01');
create table o3 (id int not null, d date not null, code text not null);
alter table o attach partition o3 default;
alter table o add column extra int not null default 0;
create unique index on o (extra, id, d);
