-- Exclusion constraints and deferrable unique constraints.
create extension if not exists btree_gist;
create table t (a int not null, b int not null, c int not null, exclude using gist (a with =), unique (a) deferrable, unique (a));
create table t_a_excl1 (x int);
create table u (a int not null, b int not null, exclude using gist (a with =, b with =));
alter table u add unique (a, b);
