select name, keep::text from {schema}.retention_classes order by name
