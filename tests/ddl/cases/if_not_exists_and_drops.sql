-- IF NOT EXISTS, DROP TABLE and DROP INDEX.
create table t (a int);
create table if not exists t (b int);
create table u (a int not null unique, b int);
create index on u (b);
drop index u_b_idx;
create unique index on u (b);
drop index if exists nope;
drop table if exists nope, t;
create table t (c text);
create table w (a int);
drop table w;
