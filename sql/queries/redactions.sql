-- Redacted rows for verify, each with whether a REDACT event records exactly this redaction (a
-- redaction nobody recorded excuses nothing). Built-in functions only.
select r.row_id, r.redacted_at::text, r.redacted_by, r.reason, r.payload_digest, r.redacted_digest,
       exists (
           select 1 from {schema}.log_rows as l
           where l.op = 'REDACT'
             and l.new_values ->> 'row_id' = r.row_id::text
             and l.new_values ->> 'payload_digest' = r.payload_digest
             and l.new_values ->> 'redacted_digest' = r.redacted_digest
       ) as recorded
from {schema}.redactions as r
order by r.row_id
