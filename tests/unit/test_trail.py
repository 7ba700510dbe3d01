"""The pure parts of judging the trail: periods as PostgreSQL prints them, times as it prints
them, and events read from COPY lines."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pgaudit_kit import chain, trail

JAN_31 = datetime(2026, 1, 31, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("1 year", datetime(2027, 1, 31, 12, tzinfo=UTC)),
        ("1 mon", datetime(2026, 2, 28, 12, tzinfo=UTC)),  # months first, clamped like PostgreSQL
        ("1 year 1 mon 2 days", datetime(2027, 3, 2, 12, tzinfo=UTC)),
        ("90 days", datetime(2026, 5, 1, 12, tzinfo=UTC)),
        ("12:00:00", datetime(2026, 2, 1, 0, tzinfo=UTC)),
        ("1 day 06:30:00", datetime(2026, 2, 1, 18, 30, tzinfo=UTC)),
        ("2 years 6 mons", datetime(2028, 7, 31, 12, tzinfo=UTC)),
    ],
)
def test_add_period_adds_as_postgresql_does(period: str, expected: datetime) -> None:
    assert trail.add_period(JAN_31, period) == expected


@pytest.mark.parametrize("period", ["P1Y", "1 fortnight", "one year", "1"])
def test_add_period_refuses_other_forms(period: str) -> None:
    with pytest.raises(ValueError):
        trail.add_period(JAN_31, period)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-31 12:00:00+00", JAN_31),
        ("2026-01-31T13:00:00+01:00", JAN_31),
        ("infinity", None),
        ("10000-01-01 00:00:00+00", None),
        (None, None),
    ],
)
def test_parse_time_reads_copy_and_json_times(text: str | None, expected: datetime | None) -> None:
    assert trail.parse_time(text) == expected


def test_an_event_reads_its_fields_and_never_fails_on_its_details() -> None:
    values = ["7", "100", "2026-01-31 12:00:00+00", "2026-01-31 12:00:00+00", "HOLD", None, None,
              "admin", "admin", None, None, None, None, None, None, None]  # fmt: skip
    good = chain.copy_fields(chain.copy_line([*values, '{"action": "add", "hold_id": 3}']))
    event = trail.Event.from_fields(good, sealed=True)
    assert (event.row_id, event.op, event.login_role, event.time) == (7, "HOLD", "admin", JAN_31)
    assert event.details == {"action": "add", "hold_id": 3}
    for details in ("not json", "[1, 2]", "[" * 100_000, None):
        fields = chain.copy_fields(chain.copy_line([*values, details]))
        assert trail.Event.from_fields(fields, sealed=False).details == {}
