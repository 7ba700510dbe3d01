select name, archive_keep::text from {schema}.retention_classes where archive_keep is not null order by name
