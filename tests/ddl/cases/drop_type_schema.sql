-- DROP SCHEMA ... CASCADE drops the tables in it.
create schema s;
create table s.t (a int);
create type s.e as enum ('x');
create table u (a int);
drop schema s cascade;
