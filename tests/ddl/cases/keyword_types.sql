-- Types and columns named with key words are quoted as format_type quotes them.
create schema s;
create type "position" as enum ('a');
create type s."Mood" as enum ('b');
create type "user" as (x int);
create table t ("user" "position", key int, type text, name name, date date, p s."Mood"[], q "user", r time with time zone[], u interval day to second(2)[], v character varying(3) collate "C" not null, w bit varying(5), x "position"[]);
