-- How an audited table's column is captured: its policy (the generic one after the guard
-- switched the table to generic capture), and whether lookup can find it (hashed in either).
-- No row: the table is not audited.
select coalesce(generic_policies ->> %(column)s, policies ->> %(column)s) as policy,
       coalesce(policies ->> %(column)s = 'hash' or generic_policies ->> %(column)s = 'hash',
                false) as hashed
  from {schema}.audited_tables
 where table_name = %(table)s
