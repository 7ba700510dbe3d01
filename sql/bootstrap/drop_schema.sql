-- uninstall --drop-data: the trail itself goes (rows, keys, registry, functions).
drop schema {schema} cascade;
