-- Whether a relation exists (a table a later toolkit revision added, say).
select pg_catalog.to_regclass({relation}) is not null
