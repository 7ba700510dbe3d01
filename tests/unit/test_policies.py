from __future__ import annotations

import hashlib
import hmac

import pytest

from pgaudit_kit import policies
from pgaudit_kit.policies import Policy


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("alice@example.com", "al***@example.com"),
        ("ab@x.org", "a***@x.org"),
        ("a@x.org", "***@x.org"),
        ("@x.org", "***@x.org"),
        ("first@second@host", "fi***@host"),
        ("no-at-sign", "***"),
        ("", "***"),
    ],
)
def test_mask_email_never_reveals_the_whole_local_part(value: str, masked: str) -> None:
    assert policies.mask_email(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("4111 1111 1111 1234", "****-****-****-1234"),
        ("4111-1111-1111-12345", "****-****-****-2345"),
        ("12345678901", "****"),
        ("abc", "****"),
    ],
)
def test_mask_card_keeps_only_the_last_four_digits(value: str, masked: str) -> None:
    assert policies.mask_card(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("GB29NWBK60161331926819", "****6819"), ("12345678", "****5678"), ("1234567", "****")],
)
def test_mask_last4_shows_at_most_half(value: str, masked: str) -> None:
    assert policies.mask_last4(value) == masked


def test_hmac_from_pads_equals_the_standard_hmac() -> None:
    key = bytes(range(32))
    k_in, k_out = policies.pads(key)
    for value in ("alice@example.com", "", "ünïcødé ✓", "x" * 10_000):
        expected = "hmac:" + hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
        assert policies.hmac_token(key, value) == expected
        assert policies.hmac_token_from_pads(k_in, k_out, value) == expected


def test_unknown_policy_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown policy"):
        Policy("mask:phone")
    assert Policy("mask:card").mask == "card"
    assert Policy("hash").mask is None
