-- The trail's own sensitive events: keys rotated (low) or shredded (high), redactions (medium),
-- legal holds placed (low) or released (medium), purges and recorded archives (low).
select case when l.op = 'KEY' and l.new_values ->> 'action' = 'shred' then 'high'
            when l.op = 'REDACT' then 'medium'
            when l.op = 'HOLD' and l.new_values ->> 'action' = 'release' then 'medium'
            else 'low' end as severity,
       coalesce(l.table_name, 'the trail') as subject,
       case l.op
           when 'KEY' then format('key %%s %%s by %%s', coalesce(l.new_values ->> 'key_id', ''),
                                  coalesce(l.new_values ->> 'action', 'rotated'), l.login_role)
           when 'REDACT' then format('row %%s redacted by %%s: %%s', l.new_values ->> 'row_id',
                                     l.login_role, l.new_values ->> 'reason')
           when 'HOLD' then format('legal hold %%s %%s by %%s: %%s', l.new_values ->> 'hold_id',
                                   case l.new_values ->> 'action' when 'release' then 'released'
                                        else 'placed' end,
                                   l.login_role, l.new_values ->> 'reason')
           when 'ARCHIVE' then format('archive %%s of blocks %%s recorded by %%s',
                                      l.new_values ->> 'sequence', l.new_values -> 'blocks',
                                      l.login_role)
           else format('partition %%s purged (%%s rows) by %%s', l.new_values ->> 'partition',
                       l.new_values ->> 'rows', l.login_role) end as detail,
       l.id as first_id, 1::bigint as events, l.tx_time as at
from {schema}.log_rows as l
where l.txid >= %(lo)s and l.txid < %(hi)s
  and l.op in ('KEY', 'REDACT', 'PURGE', 'HOLD', 'ARCHIVE')
