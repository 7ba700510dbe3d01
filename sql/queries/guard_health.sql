-- The guard's event triggers as they are live: each expected one (name, event, function) with
-- its state: 'ok' (fires ALWAYS), 'missing', 'disabled', 'not always', or 'wrong function' /
-- 'wrong event' when a same-named trigger does something else.
select w.name, w.event,
       case
           when e.oid is null then 'missing'
           when e.evtfoid is distinct from pg_catalog.to_regprocedure(w.function) then 'wrong function'
           when e.evtevent <> w.event or e.evttags is not null then 'wrong event'
           when e.evtenabled = 'D' then 'disabled'
           when e.evtenabled <> 'A' then 'not always'
           else 'ok'
       end
from unnest(%(names)s::text[], %(events)s::text[], %(functions)s::text[]) as w(name, event, function)
left join pg_catalog.pg_event_trigger e on e.evtname = w.name
order by w.name
