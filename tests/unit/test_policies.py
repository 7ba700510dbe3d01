from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
        ("4111111111111", "****-****-****-1111"),  # 13 digits
        ("4111111111111111111", "****-****-****-1111"),  # 19 digits
        ("411111111111", "****"),  # 12 digits: not a card number
        ("41111111111111111111", "****"),  # 20 digits
        ("card 4111 1111 1111 1234 cvv 123", "****"),  # free text: the CVV would show
        ("4111 1111 1111 1234 / 123", "****"),
        ("abc", "****"),
        ("", "****"),
    ],
)
def test_mask_card_shows_the_last_four_digits_of_card_numbers_only(value: str, masked: str) -> None:
    assert policies.mask_card(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("GB29NWBK60161331926819", "****6819"),
        ("1234567890123456", "****3456"),
        ("123456789012345", "****"),  # four would be more than a quarter
        ("12345678", "****"),
        ("", "****"),
    ],
)
def test_mask_last4_shows_four_characters_of_long_values_only(value: str, masked: str) -> None:
    assert policies.mask_last4(value) == masked


@given(st.text(max_size=40))
def test_a_last4_mask_never_shows_more_than_four_characters_or_a_quarter(value: str) -> None:
    shown = policies.mask_last4(value).removeprefix("****")
    assert len(shown) <= 4 and len(shown) <= len(value) / 4
    assert value.endswith(shown)


@given(st.text(max_size=1000))
def test_a_claim_is_stored_whole_or_cut_with_a_marker(value: str) -> None:
    stored = policies.claim_text(value)
    assert len(stored) <= policies.CLAIM_MAX
    assert stored == value or (stored.endswith(policies.CLAIM_MARKER) and len(value) > 256)


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
