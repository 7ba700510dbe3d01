-- Takes back everything a role holds in the audit schema (apply then grants back what the
-- config says it should have: auditors read, nobody else anything).
revoke all on schema {schema} from {role};
revoke all on all tables in schema {schema} from {role};
revoke all on all sequences in schema {schema} from {role};
revoke all on all functions in schema {schema} from {role};
