-- Whether the toolkit schema is past the given revision: recorded, and not at it.
select not exists (select 1 from {version_table} where version_num = {down_revision})
