-- Whether both event triggers of the guard exist and are enabled.
select count(*) = 2 from pg_catalog.pg_event_trigger
where evtname = any(%(names)s) and evtenabled <> 'D'
