-- The owner of the audit schema. NOLOGIN: nobody logs in as it; it only owns the trail and runs
-- the SECURITY DEFINER functions that write it.
create role {owner} nologin;
