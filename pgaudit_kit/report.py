"""The evidence report: one JSON document, and a self-contained HTML page rendering it.

``api.report`` gathers the facts (verify, check, status, activity) into :func:`document`'s shape;
this module only shapes and renders them. The page has no script, no font and no link to fetch:
CSS and charts (SVG) are inline, so it reads the same offline, printed, or years later. Every
value goes through Mako's HTML escaping. Nothing here reads a row's values: the report holds
counts, names, policies, dates and the verify result, so it cannot carry plaintext PII.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from mako.template import Template

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
