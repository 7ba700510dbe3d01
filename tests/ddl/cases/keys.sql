-- Primary and unique keys: merged constraints, INCLUDE, partial and expression indexes, replica identity.
create table a (id int primary key, x int);
alter table a drop constraint a_pkey;
create table g (id int, d int);
alter table g add unique (id), add unique (id);
create table h (id int unique, unique (id), constraint h_named unique (id));
create table i (id int not null, constraint x unique(id) deferrable initially deferred);
create table j (a int not null, b int not null, c int not null);
create unique index on j (a) include (b);
create unique index on j (a) where b > 0;
create unique index on j ((a + 1));
create unique index on j (lower(a::text));
create unique index on j (a, c);
create unique index on j ((b));
create table k (a int not null, b int not null); create unique index ki on k (a); create unique index kb on k (b); alter table k replica identity using index ki;
create unique index kj on k (a);
create table m (id int generated always as identity, x int unique not null, y int not null unique deferrable, z int not null, unique (z) deferrable, unique (z));
create table n (a int not null, b int not null, primary key (b, a), unique (a, b));
