"""Checks (a measured figure, its baseline, its target) and the JSON and Markdown result files."""

from __future__ import annotations

import json
import statistics
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

Op = Literal[">=", "<=", "<", ">"]


def median(samples: list[float]) -> float:
    """The median of the samples (they must not be empty)."""
    return float(statistics.median(samples))


@dataclass(frozen=True)
class Target:
    """A bound on a check's ratio (``on="ratio"``) or on its value (``on="value"``)."""

    op: Op
    limit: float
    on: Literal["ratio", "value"] = "ratio"
    note: str = ""

    def met(self, figure: float) -> bool:
        return {
            ">=": figure >= self.limit,
            "<=": figure <= self.limit,
            "<": figure < self.limit,
            ">": figure > self.limit,
        }[self.op]

    def text(self, unit: str) -> str:
        if self.on == "ratio":
            shown = f"{self.op} {self.limit:.2f}x"
        else:
            shown = f"{self.op} {_number(self.limit)} {unit}"
        return f"{shown} ({self.note})" if self.note else shown


@dataclass(frozen=True)
class Check:
    """One reported figure: a median, what it is compared with, and whether it meets its target.

    ``baseline`` is the median it is divided by to give ``ratio`` (e.g. plain TPS); without a
    target the figure is reported only.
    """

    item: str
    name: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    target: Target | None = None
    detail: str = ""
    samples: list[float] = field(default_factory=list)
    #: the median of the ratios of figures measured side by side (round by round), when the
    #: run has them: machine drift between rounds cancels out of each pair
    paired_ratio: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.paired_ratio is not None:
            return self.paired_ratio
        if self.baseline is None or self.baseline == 0:
            return None
        return self.value / self.baseline

    @property
    def passed(self) -> bool | None:
        if self.target is None:
            return None
        figure = self.ratio if self.target.on == "ratio" else self.value
        return None if figure is None else self.target.met(figure)

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "MISS", None: "report"}[self.passed]

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["target"] = self.target.text(self.unit) if self.target else None
        document["ratio"] = self.ratio
        document["passed"] = self.passed
        document["verdict"] = self.verdict
        return document


def paired_ratio(
    by_round: Mapping[tuple[str, int], float], config: str, baseline: str
) -> float | None:
    """The median over rounds of ``config``'s figure over ``baseline``'s in the same round, from
    figures keyed by (configuration, round); None when no round has both."""
    rounds = sorted({rnd for _, rnd in by_round})
    ratios = [
        by_round[config, n] / by_round[baseline, n]
        for n in rounds
        if (config, n) in by_round and by_round.get((baseline, n))
    ]
    return median(ratios) if ratios else None


def _number(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _markdown_row(check: Check) -> str:
    baseline = (
        f"{_number(check.baseline)} {check.unit} ({check.baseline_name})"
        if check.baseline is not None
        else ""
    )
    ratio = f"{check.ratio:.2f}x" if check.ratio is not None else ""
    target = check.target.text(check.unit) if check.target else ""
    name = f"{check.name} ({check.detail})" if check.detail else check.name
    cells = [check.item, name, f"{_number(check.value)} {check.unit}", baseline, ratio, target]
    return "| " + " | ".join([*cells, f"**{check.verdict}**"]) + " |"


def markdown(checks: list[Check], machine: dict[str, Any], wall_seconds: float) -> str:
    """The short Markdown summary: one row per check."""
    passed = sum(1 for c in checks if c.passed is True)
    missed = sum(1 for c in checks if c.passed is False)
    lines = [
        "# pgaudit-kit benchmark",
        "",
        f"{machine['date']}, commit `{machine['git_commit'][:12]}`, "
        f"PostgreSQL {machine['postgresql_version']}, {machine['cpu_count']} CPUs, "
        f"{'quick' if machine['quick'] else 'full'} run, {wall_seconds / 60:.1f} min. "
        f"{passed} PASS, {missed} MISS. Medians of interleaved rounds; pgbench and bulk ratios "
        "are medians of the ratios within each round; raw samples in latest.json.",
        "",
        "| item | measurement | median | baseline | ratio | target | result |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *(_markdown_row(c) for c in checks),
        "",
    ]
    return "\n".join(lines)


def write(
    out_dir: Path,
    checks: list[Check],
    machine: dict[str, Any],
    details: dict[str, Any],
    wall_seconds: float,
) -> tuple[Path, Path]:
    """Write latest.json and latest.md into ``out_dir``; returns both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    document = {
        "machine": machine,
        "wall_seconds": round(wall_seconds, 1),
        "checks": [c.to_json() for c in checks],
        "details": details,
    }
    json_path = out_dir / "latest.json"
    md_path = out_dir / "latest.md"
    json_path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    md_path.write_text(markdown(checks, machine, wall_seconds))
    return json_path, md_path
