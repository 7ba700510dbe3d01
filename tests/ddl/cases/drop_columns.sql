-- Dropping a column drops the indexes over it.
create table t (a int not null, b int not null, c int not null, d int);
create unique index on t (a, b);
create unique index on t (c);
create unique index on t (c) where d > 0;
create unique index t_expr on t ((d + 1));
alter table t drop column b;
alter table t drop column d;
