-- Capture changed: apply started, changed or stopped auditing a table or set the retention
-- classes (a shorter retention, then a purge, is how evidence goes), or DDL touched a trigger.
select 'high' as severity, coalesce(l.table_name, 'the trail') as subject,
       case when l.op = 'CONFIG' and l.table_name is null
            then format('retention classes set to %%s by %%s', l.new_values -> 'classes',
                        l.login_role)
            when l.op = 'CONFIG'
            then format('auditing %%s by %%s', l.new_values ->> 'action', l.login_role)
            else format('%%s %%s by %%s', l.new_values ->> 'command_tag',
                        l.new_values ->> 'object_identity', l.login_role) end as detail,
       l.id as first_id, 1::bigint as events, l.tx_time as at
from {schema}.log_rows as l
where l.txid >= %(lo)s and l.txid < %(hi)s
  and ((l.op = 'CONFIG' and l.table_name is not null
        and l.new_values ->> 'action' in ('start', 'change', 'stop'))
       or (l.op = 'CONFIG' and l.table_name is null and l.new_values ->> 'action' = 'retention')
       or (l.op = 'DDL' and l.new_values ->> 'command_tag' like '%%TRIGGER%%'))
