"""The trail's own events, and the side tables verify judges by them.

Purges, redactions, legal holds, retention and keys live in tables the toolkit's functions keep;
each change to them is also an event in the log (PURGE, REDACT, HOLD, CONFIG, KEY), sealed like
any change. Verify hashes the events with every other row, replays them here in chain order, and
judges the tables by them, never the other way round (chain.py, "What verify trusts"). Pure: the
events and the tables' rows come in as values.

Unsealed events (the newest, not sealed yet) take part only where a trail is normally a moment
behind: an unsealed purge or hold change is pending, judged like a sealed one. A REDACT event
legitimises its redaction only once sealed.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .chain import BlockHeader
from .problems import Problem
from .results import NOT_JSON, json_name

#: The ops of events that belong to the trail itself.
TRAIL_OPS = frozenset({"PURGE", "REDACT", "HOLD", "KEY", "CONFIG"})
#: How far a time may run ahead of the verifier's clock, or a seal behind the one before it:
#: clocks of two machines, and one machine's clock stepping back, differ by this much.
CLOCK_SLACK = timedelta(minutes=5)
#: The payload text a redacted image holds (``json_build_object('redacted', true)``).
REDACTION_MARKER = b'{"redacted" : true}'

#: How a retention policy is checked: (table -> class, class -> period as PostgreSQL prints it).
RetentionPolicy = tuple[dict[str, str], dict[str, str]]


def parse_time(text: str | None) -> datetime | None:
    """A timestamptz as COPY or json prints it; None for NULL, infinity or years Python lacks."""
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def add_period(moment: datetime, period: str) -> datetime:
    """``moment + period`` for periods as PostgreSQL prints them ('1 year 6 mons', '90 days',
    '12:00:00'), months first as PostgreSQL adds them.

    :raises ValueError: for a period in another form.
    """
    months = days = 0
    seconds = 0.0
    words = period.split()
    while words:
        word = words.pop(0)
        if ":" in word:
            sign = -1 if word.startswith("-") else 1
            h, m, s = word.lstrip("-").split(":")
            seconds += sign * (int(h) * 3600 + int(m) * 60 + float(s))
            continue
        unit = words.pop(0) if words else ""
        amount = int(word)
        if unit.startswith("year"):
            months += 12 * amount
        elif unit.startswith("mon"):
            months += amount
        elif unit.startswith("day"):
            days += amount
        else:
            raise ValueError(f"cannot read the period {period!r}")
    year, month = divmod(moment.month - 1 + months, 12)
    year += moment.year
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    moved = moment.replace(year=year, month=month + 1, day=day)
    return moved + timedelta(days=days, seconds=seconds)


@dataclass(frozen=True)
class Event:
    """One trail event as verify read it (``sealed``: in a block whose root matched)."""

    row_id: int
    txid: int
    time_text: str
    op: str
    table_name: str | None
    login_role: str | None
    details: Mapping[str, Any]
    sealed: bool
    #: When its block was sealed (None while unsealed).
    sealed_at: str | None = None

    @property
    def time(self) -> datetime | None:
        return parse_time(self.time_text)

    @classmethod
    def from_fields(
        cls, fields: Sequence[str | None], *, sealed: bool, sealed_at: str | None = None
    ) -> Event:
        """From the values of a ``verify_rows.sql`` line (chain.copy_fields)."""
        try:
            details = json.loads(fields[16] or "null")
        except (ValueError, RecursionError):
            details = None
        return cls(
            row_id=int(fields[0] or 0),
            txid=int(fields[1] or 0),
            time_text=fields[2] or "",
            op=fields[4] or "",
            table_name=fields[5],
            login_role=fields[7],
            details=details if isinstance(details, dict) else {},
            sealed=sealed,
            sealed_at=sealed_at,
        )


@dataclass(frozen=True)
class Hold:
    """A legal hold, active or released, as the holds table keeps it (``hold list`` shows it)."""

    hold_id: int
    reason: str
    table_name: str | None
    from_time: datetime | None
    to_time: datetime | None
    created_at: datetime
    created_by: str
    released_at: datetime | None
    released_by: str | None
    release_reason: str | None


@dataclass(frozen=True)
class KeyRow:
    key_id: int
    created_at: datetime
    retired_at: datetime | None
    shredded_at: datetime | None
    shred_reason: str | None


@dataclass(frozen=True)
class RedactionRow:
    row_id: int
    redacted_at: datetime
    redacted_by: str
    reason: str
    payload_digest: str
    redacted_digest: str


@dataclass(frozen=True)
class PurgeClaim:
    """A PURGE event: the blocks it dropped and the policy it claims."""

    event_id: int
    sealed: bool
    purged_at: str
    partition: str
    range_from: str = field(metadata=json_name("from"))
    range_to: str = field(metadata=json_name("to"))
    tables: tuple[str, ...]
    classes: tuple[str, ...]
    blocks: tuple[int, ...]
    #: What the purge recorded of the retention it ran under (revision 0006 on).
    retention: Mapping[str, str] | None = field(default=None, metadata=NOT_JSON)
    table_classes: Mapping[str, str] = field(default_factory=dict, metadata=NOT_JSON)

    @classmethod
    def of(cls, event: Event) -> PurgeClaim | None:
        """The claim of a PURGE event; None when it is not a claim pgaudit-kit writes."""
        d = event.details
        try:
            retention = d.get("retention")
            return cls(
                event_id=event.row_id,
                sealed=event.sealed,
                purged_at=event.time_text,
                partition=str(d["partition"]),
                range_from=str(d["from"]),
                range_to=str(d["to"]),
                tables=tuple(str(t) for t in d.get("tables") or ()),
                classes=tuple(str(c) for c in d.get("classes") or ()),
                blocks=tuple(int(b) for b in d.get("blocks") or ()),
                retention=(
                    {str(k): str(v) for k, v in retention.items()}
                    if isinstance(retention, dict)
                    else None
                ),
                table_classes={str(k): str(v) for k, v in (d.get("table_classes") or {}).items()},
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


@dataclass(frozen=True)
class Redaction:
    """A row whose payload a legal erasure order replaced, as its sealed REDACT event says."""

    row_id: int
    redacted_at: str
    redacted_by: str
    reason: str


@dataclass
class Findings:
    """What judging the trail's events found."""

    purges: list[PurgeClaim] = field(default_factory=list)
    #: Blocks whose rows a purge took (sealed or pending) that names no forged purge.
    purged_blocks: set[int] = field(default_factory=set)
    redacted: list[Redaction] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _Retention:
    """The retention in force, replayed from CONFIG events (and each purge's own record)."""

    periods: dict[str, str] | None = None
    table_class: dict[str, str] = field(default_factory=dict)

    def apply(self, event: Event) -> None:
        d = event.details
        action = d.get("action")
        if event.table_name is None and action == "retention":
            classes = d.get("classes")
            if isinstance(classes, dict):
                self.periods = {str(k): str(v) for k, v in classes.items()}
        elif event.table_name and action in ("start", "change"):
            if isinstance(d.get("retention"), str):
                self.table_class[event.table_name] = d["retention"]
        elif event.table_name and action == "stop":
            self.table_class.pop(event.table_name, None)

    def adopt(self, claim: PurgeClaim) -> None:
        """A purge records what it ran under; it stands in for CONFIG events purged since."""
        if self.periods is None and claim.retention is not None:
            self.periods = dict(claim.retention)
        for table, name in claim.table_classes.items():
            self.table_class.setdefault(table, name)


@dataclass
class _Hold:
    hold_id: int
    reason: str
    table_name: str | None
    from_time: datetime | None
    to_time: datetime | None
    created_at: datetime | None
    created_by: str | None
    event_id: int
    released: Event | None = None

    def covers(self, tables: set[str], start: datetime, end: datetime) -> bool:
        return (
            (self.table_name is None or self.table_name in tables)
            and (self.from_time is None or self.from_time < end)
            and (self.to_time is None or self.to_time > start)
        )


def judge(
    events: Sequence[Event],
    headers: Sequence[BlockHeader],
    empty_blocks: set[int],
    *,
    holds: Sequence[Hold],
    keys: Sequence[KeyRow],
    redactions: Sequence[RedactionRow],
    policy: RetentionPolicy | None,
    complete: bool = True,
) -> Findings:
    """Replay ``events`` (sealed, then unsealed, each in chain order) and judge purges, holds,
    keys and redactions by them.

    :param empty_blocks: the blocks verify found without any row.
    :param policy: the auditor's own retention (from the config verify was given).
    :param complete: False when a block failed or is missing: an event may have been in it, so
        a record no event vouches for is not reported (the block's problems are).
    """
    found = Findings()
    by_number = {h.block_no: h for h in headers}
    retention = _Retention()
    replayed_holds: dict[int, _Hold] = {}
    table_holds = {h.hold_id: h for h in holds}
    added = {_detail_int(e, "hold_id") for e in events if e.op == "HOLD"} - {None}
    for event in events:
        if event.op == "CONFIG":
            retention.apply(event)
        elif event.op == "HOLD":
            _replay_hold(event, replayed_holds)
        elif event.op == "PURGE":
            claim = PurgeClaim.of(event)
            if claim is None:
                found.problems.append(
                    Problem(
                        "forged_purge",
                        None,
                        event.row_id,
                        "a PURGE event pgaudit-kit cannot read: it excuses nothing",
                    )
                )
                continue
            found.purges.append(claim)
            active = [h for h in replayed_holds.values() if h.released is None]
            active += [
                _hold_of_row(row)
                for hold_id, row in table_holds.items()
                if hold_id not in added and _active_at(row, event.time)
            ]
            problems, accepted = _judge_purge(
                claim, event, by_number, empty_blocks, retention, active, policy
            )
            found.problems += problems
            if accepted:
                found.purged_blocks |= set(claim.blocks) & empty_blocks
            retention.adopt(claim)
    # where an event may have gone with its rows (purged, or deleted: reported as such), a record
    # needs no event to vouch for it
    zone = _purged_zone(by_number, empty_blocks) if complete else [_ALL_TIME]
    pending = [e for e in events if not e.sealed]
    found.problems += _check_holds(replayed_holds, holds, pending, zone)
    found.problems += _check_keys([e for e in events if e.op == "KEY"], keys, zone)
    found.redacted, problems = _check_redactions(
        [e for e in events if e.op == "REDACT"], redactions, complete=complete
    )
    found.problems += problems
    return found


# --- purges ---------------------------------------------------------------------------------


def _judge_purge(
    claim: PurgeClaim,
    event: Event,
    by_number: Mapping[int, BlockHeader],
    empty_blocks: set[int],
    retention: _Retention,
    active_holds: Sequence[_Hold],
    policy: RetentionPolicy | None,
) -> tuple[list[Problem], bool]:
    """Whether a purge matches what it names (else forged: its blocks count as deleted), and
    whether the retention in force, the auditor's config and the legal holds allowed it."""
    forged: list[str] = []
    purged_at = event.time
    start, end = parse_time(claim.range_from), parse_time(claim.range_to)
    if purged_at is None or start is None or end is None:
        forged.append("its times cannot be read")
    sealed_at = parse_time(event.sealed_at)
    if purged_at and sealed_at and purged_at > sealed_at:
        forged.append(f"it is dated {purged_at:%Y-%m-%d}, after the seal that sealed it")
    tables = set(claim.tables)
    for number in claim.blocks:
        header = by_number.get(number)
        if header is None:
            continue  # reported as block_missing
        bucket_start, bucket_end = parse_time(header.bucket_start), parse_time(header.bucket_end)
        if number not in empty_blocks:
            forged.append(f"it names block {number}, whose rows are still there")
        elif (
            start
            and end
            and bucket_start
            and bucket_end
            and not (start <= bucket_start and bucket_end <= end)
        ):
            forged.append(f"block {number} lies outside {claim.partition}")
        elif event.txid < header.txid_hi:
            forged.append(f"its transaction is among those block {number} sealed")
        if header.format >= 2 and claim.retention is None:
            # a format-2 block was sealed by revision 0006 or later, whose purge records it
            forged.append("it does not record the retention it ran under")
        committed = header.table_names
        if committed is not None and not set(committed) <= tables:
            unnamed = ", ".join(sorted(t or "(trail events)" for t in set(committed) - tables))
            forged.append(f"block {number} held rows of {unnamed}, which it does not name")
        if committed is not None:
            tables |= set(committed)
    if forged:
        return [Problem("forged_purge", None, claim.event_id, "; ".join(forged))], False
    assert purged_at is not None and start is not None and end is not None
    for number in claim.blocks:
        header = by_number.get(number)
        bucket_end = parse_time(header.bucket_end) if header else None
        end = max(end, bucket_end) if bucket_end else end
    problems: list[Problem] = []
    periods = retention.periods if retention.periods is not None else claim.retention
    judged = [
        (
            "the retention in force",
            {_class_of(t, retention, claim) for t in tables} or {"default"},
            periods,
        )
    ]
    if policy is not None:
        table_class, configured = policy
        classes = {table_class.get(t, "default") if t else "default" for t in tables}
        judged.append(("your config's retention", classes or {"default"}, configured))
    for source, classes, known in judged:
        if known is None:
            continue  # purged before any retention was recorded (revision 0006)
        early = _too_early(claim, purged_at, end, classes, known, source)
        if early:
            problems.append(Problem("early_purge", None, claim.event_id, early))
            break
    tables_or_all = tables or {""}
    held = [h for h in active_holds if h.covers(tables_or_all, start, end)]
    if held:
        problems.append(
            Problem(
                "held_purge",
                None,
                claim.event_id,
                f"{claim.partition} was purged on {purged_at:%Y-%m-%d} while legal hold "
                + ", ".join(f"{h.hold_id} ({h.reason!r})" for h in held)
                + " covered it",
            )
        )
    return problems, True


def _class_of(table: str, retention: _Retention, claim: PurgeClaim) -> str:
    if not table:
        return "default"
    return retention.table_class.get(table) or claim.table_classes.get(table) or "default"


def _too_early(
    claim: PurgeClaim,
    purged_at: datetime,
    end: datetime,
    classes: set[str],
    periods: Mapping[str, str],
    source: str,
) -> str | None:
    kept = sorted(c for c in classes if c not in periods)
    if kept:
        return (
            f"{claim.partition} was purged but class {', '.join(kept)} keeps rows for ever "
            f"({source})"
        )
    try:
        keep_until = max(add_period(end, periods[c]) for c in classes)
    except ValueError as e:
        return f"{claim.partition} was purged under a retention verify cannot read: {e}"
    if purged_at >= keep_until:
        return None
    return (
        f"{claim.partition} was purged on {purged_at:%Y-%m-%d}; its retention ("
        + ", ".join(f"{c} {periods[c]}" for c in sorted(classes))
        + f") ran until {keep_until:%Y-%m-%d} ({source})"
    )


def _purged_zone(
    by_number: Mapping[int, BlockHeader], purged: Iterable[int]
) -> list[tuple[datetime, datetime]]:
    """The time buckets of blocks left without rows: an event dated inside one may be gone."""
    zone = []
    for number in purged:
        header = by_number[number]
        start, end = parse_time(header.bucket_start), parse_time(header.bucket_end)
        if start and end:
            zone.append((start, end))
    return zone


_ALL_TIME = (datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC))


def _in_zone(moment: datetime | None, zone: Sequence[tuple[datetime, datetime]]) -> bool:
    return moment is not None and any(start <= moment < end for start, end in zone)


# --- legal holds ------------------------------------------------------------------------------


def _detail_int(event: Event, key: str) -> int | None:
    value = event.details.get(key)
    try:
        return int(value) if isinstance(value, int | str) and not isinstance(value, bool) else None
    except ValueError:
        return None


def _replay_hold(event: Event, holds: dict[int, _Hold]) -> None:
    d = event.details
    hold_id = _detail_int(event, "hold_id")
    if hold_id is None:
        return
    if d.get("action") == "add":
        holds[hold_id] = _Hold(
            hold_id,
            str(d.get("reason")),
            event.table_name,
            parse_time(d.get("from")),
            parse_time(d.get("to")),
            event.time,
            event.login_role,
            event.row_id,
        )
    elif d.get("action") == "release" and hold_id in holds:
        holds[hold_id].released = event


def _hold_of_row(row: Hold) -> _Hold:
    return _Hold(
        row.hold_id, row.reason, row.table_name, row.from_time, row.to_time,
        row.created_at, row.created_by, 0,
    )  # fmt: skip


def _active_at(row: Hold, moment: datetime | None) -> bool:
    return (
        moment is not None
        and row.created_at <= moment
        and (row.released_at is None or row.released_at > moment)
    )


def _check_holds(
    replayed: Mapping[int, _Hold],
    rows: Sequence[Hold],
    pending: Sequence[Event],
    zone: Sequence[tuple[datetime, datetime]],
) -> list[Problem]:
    problems = []
    pending_ids = {
        (str(e.details.get("action")), e.details.get("hold_id")) for e in pending if e.op == "HOLD"
    }
    for row in rows:
        hold = replayed.get(row.hold_id)
        differences: list[str] = []
        if hold is None:
            if ("add", row.hold_id) in pending_ids or _in_zone(row.created_at, zone):
                continue
            differences.append("no sealed HOLD event records it")
        else:
            differences += _differences(
                hold_id=(row.hold_id, hold.hold_id),
                reason=(row.reason, hold.reason),
                table=(row.table_name, hold.table_name),
                start=(row.from_time, hold.from_time),
                end=(row.to_time, hold.to_time),
                created_at=(row.created_at, hold.created_at),
                created_by=(row.created_by, hold.created_by),
            )
            release = hold.released
            if release is None and row.released_at is not None:
                if ("release", row.hold_id) not in pending_ids:
                    differences.append(
                        f"released on {row.released_at:%Y-%m-%d %H:%M} by {row.released_by} in "
                        "the holds table, but no HOLD event records a release"
                    )
            elif release is not None and row.released_at is None:
                differences.append(
                    f"released by HOLD event {release.row_id}, yet active in the holds table"
                )
            elif release is not None:
                differences += _differences(
                    released_at=(row.released_at, release.time),
                    released_by=(row.released_by, release.login_role),
                    release_reason=(row.release_reason, release.details.get("reason")),
                )
        if differences:
            problems.append(
                Problem(
                    "hold_mismatch",
                    None,
                    None,
                    f"legal hold {row.hold_id}: " + "; ".join(differences),
                )
            )
    present = {row.hold_id for row in rows}
    problems += [
        Problem(
            "hold_mismatch",
            None,
            hold.event_id,
            f"legal hold {hold.hold_id} (HOLD event {hold.event_id}) is gone from the holds table",
        )
        for hold in replayed.values()
        if hold.hold_id not in present
    ]
    return problems


def _differences(**pairs: tuple[object, object]) -> list[str]:
    """'field differs' for each (table value, event value) pair that is not equal."""
    return [
        f"its {name.replace('_', ' ')} is {_shown(table)} in the table, {_shown(event)} in the "
        "event"
        for name, (table, event) in pairs.items()
        if table != event
    ]


def _shown(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return "none" if value is None else repr(value)


# --- keys -------------------------------------------------------------------------------------


def _check_keys(
    events: Sequence[Event], rows: Sequence[KeyRow], zone: Sequence[tuple[datetime, datetime]]
) -> list[Problem]:
    """Each key's creation, retirement and shredding must be the KEY events' times."""
    rotated: dict[int, Event] = {}
    shredded: dict[int, Event] = {}
    for event in events:
        key_id, action = _detail_int(event, "key_id"), event.details.get("action")
        if key_id is not None and action == "rotate":
            rotated[key_id] = event
        elif key_id is not None and action == "shred":
            shredded[key_id] = event
    problems = []
    for row in rows:
        differences: list[str] = []
        made, replaced_by, shred = (
            rotated.get(row.key_id), rotated.get(row.key_id + 1), shredded.get(row.key_id)
        )  # fmt: skip
        if made is not None:
            differences += _differences(created_at=(row.created_at, made.time))
        elif not _in_zone(row.created_at, zone):
            differences.append("no KEY event records its creation")
        if replaced_by is not None:
            differences += _differences(retired_at=(row.retired_at, replaced_by.time))
        if shred is not None:
            differences += _differences(
                shredded_at=(row.shredded_at, shred.time),
                shred_reason=(row.shred_reason, shred.details.get("reason")),
            )
        elif row.shredded_at is not None and not _in_zone(row.shredded_at, zone):
            differences.append("shredded in the table, but no KEY event records it")
        if differences:
            problems.append(
                Problem("key_mismatch", None, None, f"key {row.key_id}: " + "; ".join(differences))
            )
    return problems


# --- redactions -------------------------------------------------------------------------------


def _check_redactions(
    events: Sequence[Event], rows: Sequence[RedactionRow], *, complete: bool
) -> tuple[list[Redaction], list[Problem]]:
    """Each redaction must be a sealed REDACT event's, field for field; what verify lists of a
    redaction comes from that event."""
    sealed: dict[int, list[Event]] = {}
    unsealed: set[int] = set()
    for event in events:
        row_id = _detail_int(event, "row_id")
        if row_id is None:
            continue
        if event.sealed:
            sealed.setdefault(row_id, []).append(event)
        else:
            unsealed.add(row_id)
    redacted: list[Redaction] = []
    problems: list[Problem] = []
    for row in rows:
        candidates = sealed.get(row.row_id)
        if not candidates and not complete and row.row_id not in unsealed:
            continue  # its event may be in a block that failed
        if not candidates:
            why = (
                "its REDACT event is not sealed yet: if the redaction is genuine, seal, then "
                "verify again"
                if row.row_id in unsealed
                else "no sealed REDACT event records it"
            )
            problems.append(
                Problem(
                    "forged_redaction",
                    None,
                    row.row_id,
                    f"marked redacted on {row.redacted_at:%Y-%m-%d} ({row.reason!r}) but {why}",
                )
            )
            continue
        best: tuple[list[str], Event] | None = None
        for event in candidates:
            differences = _differences(**_redaction_pairs(row, event))
            if best is None or len(differences) < len(best[0]):
                best = (differences, event)
        assert best is not None
        differences, event = best
        d = event.details
        redacted.append(
            Redaction(
                row.row_id,
                str(d.get("redacted_at") or event.time_text),
                str(d.get("redacted_by") or event.login_role),
                str(d.get("reason")),
            )
        )
        if differences:
            problems.append(
                Problem(
                    "redaction_edited",
                    None,
                    row.row_id,
                    f"its redaction record differs from REDACT event {event.row_id}: "
                    + "; ".join(differences),
                )
            )
    return redacted, problems


def _redaction_pairs(row: RedactionRow, event: Event) -> dict[str, tuple[object, object]]:
    d = event.details
    carried = "carried_from" in d  # re-recorded by a purge that dropped the original event
    return {
        "reason": (row.reason, d.get("reason")),
        "author": (row.redacted_by, d.get("redacted_by") if carried else event.login_role),
        "time": (row.redacted_at, parse_time(d.get("redacted_at")) if carried else event.time),
        "payload_digest": (row.payload_digest, d.get("payload_digest")),
        "redacted_digest": (row.redacted_digest, d.get("redacted_digest")),
    }
