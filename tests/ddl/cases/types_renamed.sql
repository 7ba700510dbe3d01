-- Renamed types, domains and schemas change what columns print.
create schema s;
create type s.mood as enum ('a');
create domain s.pos as int;
create table t (a s.mood, b s.pos, c s.mood[]);
alter type s.mood rename to feeling;
alter domain s.pos rename to positive;
alter schema s rename to "New S";
create type tt as enum ('x');
create table u (a tt);
alter type tt set schema "New S";
