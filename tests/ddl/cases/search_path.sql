-- SET search_path decides where unqualified tables and types go.
create schema app; create schema other;
set search_path = app, public;
create type st as enum ('a');
create table t (a st, b int primary key);
set search_path to other;
create table t (a int);
create table "Mixed" (x app.st);
SET search_path TO DEFAULT;
create table t (z int);
alter table other.t add column q int;
comment on column app.t.a is 'pgaudit:omit';
