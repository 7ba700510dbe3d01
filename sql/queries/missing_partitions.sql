select range_from, range_to from {schema}.missing_partitions(%(ahead)s)
