-- Redacted rows for verify: which payload digest each leaf commits to, and what the row holds now.
-- Each is checked against its sealed REDACT event (trail.py); none is trusted on its own.
select row_id, redacted_at, redacted_by, reason, payload_digest, redacted_digest
from {schema}.redactions
order by row_id
