-- ADD PRIMARY KEY USING INDEX renames the index to the constraint's name.
create table t (a int not null, b int not null);
create unique index zz on t (b);
create unique index t_idx on t (a);
alter table t add constraint aa primary key using index t_idx;
