"""Column policies, and Python twins of the SQL that applies them.

A policy says what the audit trail may keep of a column's value:

========== ===================================================================================
plain      the value as is (``to_jsonb`` of the column)
hash       ``"hmac:" + hex(HMAC-SHA256(key, text))``: linkable, not reversible without the key
omit       nothing; the column only appears in ``changed_columns`` of an UPDATE
mask:email ``al***@example.com``: at most two characters of the local part, never all of it
mask:card  ``****-****-****-1234``: last four digits of a card number (13 to 19 digits, spaces
           or dashes between them), anything else ``****``
mask:last4 ``****wxyz``: the last four characters when the value has at least sixteen (never
           more than a quarter of it), else ``****``
========== ===================================================================================

The SQL versions live in ``sql/toolkit/functions/{hmac,hmac_token,mask_*}.sql``; the functions here
compute the same results so tests (and ``lookup``) can check the database against Python. The HMAC
input is the value's text form in UTF-8, as PostgreSQL prints it under the settings pinned on every
capture function (TimeZone UTC, DateStyle ISO, extra_float_digits 1, bytea_output hex).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

MASKS = ("email", "card", "last4")
POLICY_NAMES = ("plain", "hash", "omit", *(f"mask:{m}" for m in MASKS))
#: Policies a column the config does not list may fall back to: never plain.
DEFAULT_POLICY_NAMES = ("hash", "omit")
TOKEN_PREFIX = "hmac:"  # noqa: S105 - a label, not a secret
HMAC_BLOCK = 64


@dataclass(frozen=True)
class Policy:
    """One column's policy, e.g. ``Policy("mask:card")``."""

    name: str

    def __post_init__(self) -> None:
        if self.name not in POLICY_NAMES:
            raise ValueError(f"unknown policy {self.name!r}")

    @property
    def mask(self) -> str | None:
        """The mask kind (``"card"``) for ``mask:*`` policies, else None."""
        return self.name.split(":", 1)[1] if self.name.startswith("mask:") else None

    @property
    def strictness(self) -> int:
        """How little of a value the policy keeps: plain 0, masks 1 (a partial reveal), hash 2
        (nothing readable, but linkable), omit 3. A column comment may only raise it."""
        if self.mask is not None:
            return 1
        return {"plain": 0, "hash": 2, "omit": 3}[self.name]

    def __str__(self) -> str:
        return self.name


PLAIN = Policy("plain")
HASH = Policy("hash")
OMIT = Policy("omit")


def policy_choices() -> str:
    """The valid policy names, for error messages."""
    return ", ".join(POLICY_NAMES)


def pads(key: bytes) -> tuple[bytes, bytes]:
    """The inner and outer HMAC pads of a key, as stored in ``hmac_keys`` (k_in, k_out)."""
    if len(key) > HMAC_BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(HMAC_BLOCK, b"\x00")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def hmac_token(key: bytes, value: str) -> str:
    """The token the ``hash`` policy stores for ``value`` under ``key``."""
    return TOKEN_PREFIX + hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def hmac_token_from_pads(k_in: bytes, k_out: bytes, value: str) -> str:
    """The same token computed from the stored pads, exactly as the SQL does."""
    inner = hashlib.sha256(k_in + value.encode()).digest()
    return TOKEN_PREFIX + hashlib.sha256(k_out + inner).hexdigest()


def mask_email(value: str) -> str:
    """``alice@example.com`` -> ``al***@example.com``; no ``@`` -> ``***``."""
    local, at, domain = value.rpartition("@")
    if not at:
        return "***"
    keep = max(0, min(2, len(local) - 1))
    return local[:keep] + "***@" + domain


def mask_card(value: str) -> str:
    """``4111 1111 1111 1234`` -> ``****-****-****-1234``; anything but 13 to 19 digits with
    spaces or dashes between them -> ``****``."""
    digits = value.replace(" ", "").replace("-", "")
    if digits and all(c in "0123456789" for c in digits) and 13 <= len(digits) <= 19:
        return "****-****-****-" + digits[-4:]
    return "****"


def mask_last4(value: str) -> str:
    """``GB29NWBK60161331926819`` -> ``****6819``; shorter than 16 characters -> ``****``."""
    return "****" + value[-4:] if len(value) >= 16 else "****"


#: The longest client claim (application_name, request_id, trace_id) stored whole.
CLAIM_MAX = 256
CLAIM_MARKER = "...[truncated]"


def claim_text(value: str) -> str:
    """A client's claim as the trail stores it (sql/toolkit/functions/claim_text.sql)."""
    if len(value) <= CLAIM_MAX:
        return value
    return value[: CLAIM_MAX - 16] + CLAIM_MARKER


def apply_mask(kind: str, value: str) -> str:
    """Apply the mask named ``kind`` (one of :data:`MASKS`)."""
    return {"email": mask_email, "card": mask_card, "last4": mask_last4}[kind](value)
