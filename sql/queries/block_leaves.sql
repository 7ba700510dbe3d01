select ids, leaves from {schema}.block_leaves where block_no = %(block_no)s
