-- Nothing in the audit schema is granted to PUBLIC (functions and types are, by default, so that
-- is revoked explicitly). Grants to the configured auditor roles are made by apply, from the config.
revoke all on schema {schema} from public;
revoke all on all tables in schema {schema} from public;
revoke all on all sequences in schema {schema} from public;
revoke all on all functions in schema {schema} from public;
revoke all on type {schema}.statement_context from public;
