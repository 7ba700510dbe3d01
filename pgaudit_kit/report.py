"""The evidence report: one JSON document, and a self-contained HTML page rendering it.

:func:`write` gathers the facts (verify, check, status, activity) through one connection, in one
REPEATABLE READ snapshot (verify's), so every part of the report describes the same moment of the
trail; then it shapes and renders them. The page has no script, no font and no link to fetch:
CSS and charts (SVG) are inline, so it reads the same offline, printed, or years later. Every
value goes through Mako's HTML escaping. Nothing here reads a row's values: the report holds
counts, names, policies, dates and the verify result, so it cannot carry plaintext PII.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psycopg
from mako.template import Template
from psycopg import sql

from . import catalog, check, controls, digest, sqlfiles, status, toolkit_schema, verify, witness
from .config import Config
from .errors import InputError
from .results import Result, as_json, json_name, to_json_text
from .retention import retention_policy

#: Version of report.json; bumped when a field changes meaning or goes away.
REPORT_VERSION = 1
TEMPLATE = Path(__file__).parent / "templates" / "report.html.mako"


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its label, count, and length as a share of the longest bar."""

    label: str
    count: int
    share: float


def bars(counts: list[tuple[str, int]], *, limit: int = 20) -> list[Bar]:
    """The largest ``limit`` counts as bars (the rest summed into one "others" bar)."""
    shown = counts[:limit]
    rest = sum(n for _, n in counts[limit:])
    if rest:
        shown = [*shown, (f"{len(counts) - limit} others", rest)]
    top = max((n for _, n in shown), default=0) or 1
    return [Bar(label, n, n / top) for label, n in shown]


def verdict(document: dict[str, Any]) -> tuple[bool, str]:
    """Whether the evidence is clean, and the one line that says so."""
    verify = document["verify"]
    findings = document["coverage"]["findings"] + document["immutability"]["findings"]
    if not verify["ok"]:
        return False, (
            f"TAMPERING DETECTED: {len(verify['problems'])} problem(s) in the audit chain"
        )
    witness = document.get("witness")
    if witness and witness["problems"]:
        return False, (
            f"TAMPERING DETECTED: the witness disagrees with the primary on "
            f"{len(witness['problems'])} block(s)"
        )
    if findings:
        return False, f"CHAIN INTACT, {len(findings)} coverage or immutability finding(s)"
    return True, (
        f"INTACT: {verify['rows_verified']:,} sealed row(s) in {verify['blocks_verified']:,} "
        "block(s) verified; coverage and immutability as configured"
    )


def render_html(document: dict[str, Any]) -> str:
    """The page for ``document`` (the report.json content, its verdict included)."""
    ok, headline = document["verdict"]["ok"], document["verdict"]["headline"]
    activity = document["activity"]
    charts = {
        name: bars([(row["label"], row["count"]) for row in activity[name]])
        for name in ("by_table", "by_op", "by_role")
    }
    days = _every_day(document["period"], activity["by_day"])
    # default_filters=["h"]: every ${} is HTML-escaped (a table or role name could hold markup)
    template = Template(filename=str(TEMPLATE), default_filters=["h"])  # noqa: S702
    checked = document["verify"]["digests_checked"]
    coverage = document["coverage"]
    required = ", ".join(coverage["require"]) or "no require patterns configured"
    if coverage["exempt"]:
        required += "; except " + ", ".join(coverage["exempt"])
    return str(
        template.render(
            d=document,
            ok=ok,
            headline=headline,
            charts=charts,
            days=bars(days, limit=len(days)),
            num=lambda n: f"{n:,}",
            when=_when,
            digests_note=f"checked against {checked} signed digest(s)"
            if checked
            else "no signed digests were given (pgaudit-kit report --digests DIR --pubkey KEY)",
            required_note=required,
        )
    )


def _every_day(period: dict[str, str], counted: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """One (day, count) per day of the period, zero where nothing happened (a quiet day is a
    fact too); by month when the period is longer than a year."""
    start, end = date.fromisoformat(period["from"]), date.fromisoformat(period["to"])
    counts = {row["label"]: row["count"] for row in counted}
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    if len(days) <= 366:
        return [(d.isoformat(), counts.get(d.isoformat(), 0)) for d in days]
    months: dict[str, int] = {}
    for d in days:
        months[d.isoformat()[:7]] = months.get(d.isoformat()[:7], 0) + counts.get(d.isoformat(), 0)
    return list(months.items())


def _when(value: str | None) -> str:
    """An ISO timestamp as a person reads it: to the second, in UTC."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S") + (" UTC" if moment.tzinfo else "")


#: check finding kinds that are about coverage (the rest are about immutability).
COVERAGE_CHECKS = frozenset(
    {"unclassified", "pii-plain", "not-audited", "config", "drift", "comment-loosens"}
)


@dataclass(frozen=True)
class ReportResult(Result):
    """The report files written, and the verdict they carry."""

    json_path: Path = field(metadata=json_name("json"))
    html_path: Path = field(metadata=json_name("html"))
    ok: bool
    headline: str
    #: Per framework asked for, how many of its controls pass, fail or show a gap.
    controls: dict[str, dict[str, int]] = field(default_factory=dict)


def period(start: date | None, end: date | None) -> tuple[date, date]:
    """The report's days (inclusive, UTC; default: the last 30 days).

    :raises InputError: when ``end`` is before ``start``.
    """
    end = end or datetime.now(UTC).date()
    start = start or end - timedelta(days=30)
    if end < start:
        raise InputError(
            f"the period ends ({end}) before it starts ({start})", hint="swap --from and --to"
        )
    return start, end


def write(
    conn: psycopg.Connection[Any],
    config: Config,
    out_dir: Path,
    *,
    days: tuple[date, date],
    digests: list[digest.Digest],
    where: str,
    witness_dsn: str | None = None,
    frameworks: Sequence[str] = (),
) -> ReportResult:
    """Write ``report.json`` and a self-contained ``report.html`` into ``out_dir``: the verify
    result, coverage, immutability, retention, keys and activity of ``days``. Reads counts,
    names and dates only, all in one snapshot.

    :raises InputError: when the folder cannot be written.
    """
    start, end = days
    with verify.snapshot(conn):
        installed = catalog.read_installed(conn, config.schema, config.owner_role)
        verified = digest.verify_trail(
            conn, config.schema, digests, retention=retention_policy(config)
        )
        checked = check.run_check(conn, config, installed)
        state = status.read_status(conn, config, installed)
        schema = sql.Identifier(config.schema)
        activity: dict[str, list[dict[str, Any]]] = {
            "by_table": [], "by_op": [], "by_role": [], "by_day": []
        }  # fmt: skip
        bounds = {
            "from": datetime.combine(start, time(), UTC),
            "to": datetime.combine(end + timedelta(days=1), time(), UTC),
        }
        for dimension, label, count in conn.execute(
            sqlfiles.render("report/activity.sql", schema=schema), bounds
        ):
            activity[f"by_{dimension}"].append({"label": label, "count": int(count)})
        holds = [h for h in status.read_holds(conn, schema) if h.released_at is None]
        seen = witness.lag(conn, config.schema, witness_dsn) if witness_dsn else None
        cursor = (
            conn.execute(sqlfiles.render("queries/alert_cursor.sql", schema=schema)).fetchone()
            if toolkit_schema.revision_at_least(installed.revision, "0008")
            else None
        )
    retention_of = {str(t.name): t.retention or "default" for t in config.tables}
    findings = [as_json(f) for f in checked.findings]
    document: dict[str, Any] = {
        "schema_version": REPORT_VERSION,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "pgaudit_kit_version": version("pgaudit-kit"),
        "database": where,
        "schema": config.schema,
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "verify": verified.to_json(),
        "coverage": {
            "require": list(config.require),
            "exempt": list(config.exempt),
            "tables": [
                {
                    "table": t.table,
                    "retention": retention_of.get(t.table, "default"),
                    "capture": t.capture,
                    "policies": t.policies,
                }
                for t in state.tables
            ],
            "findings": [f for f in findings if f["check"] in COVERAGE_CHECKS],
        },
        "immutability": {
            "owner_role": config.owner_role,
            "guard_enabled": state.guard_enabled,
            "revision": state.revision,
            "tables": len(state.tables),
            "triggers_healthy": sum(1 for t in state.tables if t.healthy),
            "findings": [f for f in findings if f["check"] not in COVERAGE_CHECKS],
        },
        "retention": {
            "partition_interval": state.retention.partition_interval if state.retention else None,
            "partitions": state.retention.partitions if state.retention else 0,
            "classes": state.retention.classes if state.retention else {},
            "archive_classes": state.retention.archive_classes if state.retention else {},
            "archives": as_json(state.retention.archives) if state.retention else None,
            "holds": as_json(holds),
        },
        "alerts": {"last_run": as_json(cursor[0]), "last_run_by": cursor[1]} if cursor else None,
        "witness": (
            {**as_json(seen), "problems": as_json(seen.problems)} if seen is not None else None
        ),
        "keys": as_json(state.keys),
        "activity": {**activity, "total": sum(r["count"] for r in activity["by_op"])},
    }
    # the controls read the document as report.json holds it (one JSON round trip)
    as_filed = json.loads(to_json_text(document)) if frameworks else {}
    document["controls"] = [
        as_json(c)
        for framework in frameworks
        for c in controls.controls(as_filed, config, framework)
    ]
    ok, headline = verdict(document)
    document["verdict"] = {"ok": ok, "headline": headline}
    text = to_json_text(document)
    json_path, html_path = out_dir / "report.json", out_dir / "report.html"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        json_path.write_text(text + "\n", encoding="utf-8")
        # the page renders the file's content (dates as the ISO text it holds)
        html_path.write_text(render_html(json.loads(text)), encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot write the report: {e}", where=str(out_dir)) from e
    tally: dict[str, dict[str, int]] = {}
    for control in document["controls"]:
        counts = tally.setdefault(control["framework"], dict.fromkeys(controls.VERDICTS, 0))
        counts[control["verdict"]] += 1
    return ReportResult(json_path, html_path, ok, headline, tally)
