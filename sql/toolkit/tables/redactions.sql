-- redactions: sealed rows whose payload (old and new values) a legal erasure order replaced with
-- a marker. A row's leaf commits to the hash of its payload, not the payload (chain.py), so the
-- chain still verifies: verify takes the leaf's payload hash from here, and checks the row now
-- holds exactly the redacted payload (redacted_digest). Each redaction is also a REDACT event,
-- sealed like any change, so a redaction row nobody recorded is reported, not trusted.
create table {schema}.redactions (
    row_id bigint primary key,
    redacted_at timestamptz not null default pg_catalog.now(),
    reason text not null check (pg_catalog.btrim(reason) <> ''),
    redacted_by text not null,
    -- hex SHA-256 of the payload line (row_key, old_values, new_values in COPY text) before...
    payload_digest text not null,
    -- ...and after the redaction
    redacted_digest text not null
);
