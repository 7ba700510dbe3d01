-- On a managed service the installing role is no superuser, and creating event triggers may be
-- refused (some services let their administrator create them, others do not). Then the guard is
-- left out: apply says what that leaves unprotected, and status, check and report show it.
do $pgaudit$
begin
{create}
exception when insufficient_privilege then
    raise notice 'pgaudit-kit: the guard''s event triggers need a superuser here: not created';
end
$pgaudit$;
