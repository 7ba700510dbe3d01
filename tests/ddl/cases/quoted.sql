-- Quoted names with capitals, spaces, key words and non-ASCII letters.
create schema "Sales Co";
create table "Sales Co"."Order Lines" ("Line No" int primary key, "Qty" int not null, "select" text, "ÄÖ" text unique);
comment on column "Sales Co"."Order Lines"."Qty" is 'pgaudit:plain';
create table "Sales Co".x ("A" int not null, b int, constraint "Big Key" unique ("A"));
create unique index "Z" on "Sales Co".x ("A");
