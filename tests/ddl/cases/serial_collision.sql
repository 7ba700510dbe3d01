-- Serial sequences take numbered names when theirs is taken.
create sequence t_id_seq;
create table t (id serial, b int);
create table u (id bigserial primary key);
create table t_id_seq2 (x int);
create table v (id serial unique);
