-- How the transaction runs, before any change.
-- Every name pgaudit-kit writes is schema-qualified and its SECURITY DEFINER functions pin their
-- own search_path; pinning the transaction's as well means no schema a user can create in can
-- stand in for a type, operator or function while the install runs (pgspot checks this).
set local search_path = pg_catalog, pg_temp;
-- Wait at most this long for a table lock, then fail and roll back, rather than queue the
-- application's statements behind the install (apply --lock-timeout).
set local lock_timeout = {lock_timeout};
