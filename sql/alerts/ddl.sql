-- DDL on an audited table (trigger changes are capture_changed).
select 'medium' as severity, l.table_name as subject,
       format('%%s %%s by %%s', l.new_values ->> 'command_tag', l.new_values ->> 'object_identity',
              l.login_role) as detail,
       l.id as first_id, 1::bigint as events, l.tx_time as at
from {schema}.log_rows as l
where l.txid >= %(lo)s and l.txid < %(hi)s and l.op = 'DDL'
  and coalesce(l.new_values ->> 'command_tag', '') not like '%%TRIGGER%%'
