-- Types from extensions print as written and compare by their text form.
create extension citext;
create schema ext;
create extension hstore schema ext;
create table t (a citext, b ext.hstore, c citext[], d point);
