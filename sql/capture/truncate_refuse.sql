-- truncate = "refuse": only a maintenance window (begin_maintenance) lets a TRUNCATE through.
if not {schema}.in_maintenance() then
    raise exception 'pgaudit-kit: TRUNCATE of % is refused: its truncate mode is refuse', {table_name}
        using errcode = 'insufficient_privilege',
              hint = 'DELETE the rows instead (each is audited), or run it inside '
                     'pgaudit-kit''s maintenance window (begin_maintenance)';
end if;
