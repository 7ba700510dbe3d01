-- ALTER TABLE: add, drop, rename and retype columns, NOT NULL, rename and move the table, comments.
create table t (a int, b text, c int);
alter table t add column d int not null default 1, add e varchar(3);
alter table t drop column b;
alter table t rename column c to cc;
alter table t rename a to aa;
alter table t alter column e type text;
alter table t alter column aa set not null;
alter table t add primary key (aa);
alter table t alter column d drop not null;
alter table t rename to tt;
create schema s2;
alter table tt set schema s2;
comment on column s2.tt.cc is 'x pgaudit:hash';
comment on column s2.tt.d is 'y pgaudit:mask:email yes';
comment on column s2.tt.e is 'plain';
comment on column s2.tt.e is null;
