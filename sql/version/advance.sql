-- Records that the toolkit schema moved from one revision to the next, as Alembic does.
update {version_table} set version_num = {revision} where version_num = {down_revision};
