-- Without a superuser, the role running apply creates the audit schema and its objects for the
-- owner role, and that takes being a member of it (a CREATEROLE role may grant the roles it
-- created to itself). That role can then act as the owner: on a managed service, treat its
-- credentials as the superuser's; the chain and the digests catch what it changes.
grant {owner} to current_user;
