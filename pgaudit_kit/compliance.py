"""Classification levels and compliance frameworks: what each allows, and what each requires.

A column's *level* (``public``, ``internal``, ``confidential``, ``restricted``) bounds its policy:
a restricted value leaves nothing readable in the trail (``hash`` or ``omit``: a mask reveals a
part), a confidential one is never ``plain``. A table's *frameworks* (``pci``, ``hipaa``, ``soc2``,
``gdpr``) say which rules it is kept under; ``[compliance] frameworks`` names the frameworks in
force and is the scope of tables that name none.

Each framework's minimum retention of audit records, in our words (read the sources):

* PCI DSS v4.0, requirement 10.5.1: audit log history kept at least 12 months, the most recent
  three months immediately available for analysis (here: in the database, ``hot``).
* HIPAA, 45 CFR 164.316(b)(2)(i): the documentation the Security Rule requires kept 6 years from
  its creation or last effective date; audit records of 164.312(b) are commonly held to it.
* SOC 2 (AICPA Trust Services Criteria, CC7.2 and CC4.1): no fixed period; the organisation's
  own policy, which auditors expect to cover at least the 12-month examination period
  (``soc2_retention`` sets it; 1 year unless set).
* GDPR, article 5(1)(e): storage limitation, a maximum, not a minimum: nothing required here.

Pure: config.py calls these while it validates, check.py for columns the catalog adds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .policies import HASH, OMIT, PLAIN, Policy

LEVELS = ("public", "internal", "confidential", "restricted")
#: Table tags, and the framework each stands for in [compliance] frameworks.
FRAMEWORK_OF_TAG = {"pci": "pci-dss-4", "hipaa": "hipaa", "soc2": "soc2", "gdpr": "gdpr"}
FRAMEWORKS = tuple(FRAMEWORK_OF_TAG.values())
TAG_OF_FRAMEWORK = {f: t for t, f in FRAMEWORK_OF_TAG.items()}
DEFAULT_SOC2_RETENTION = "1 year"


@dataclass(frozen=True)
class MinimumRetention:
    """What a framework asks of a retention class: in all (database and archive), and in the
    database (``hot``), as PostgreSQL prints periods; None: nothing."""

    framework: str
    total: str | None
    hot: str | None
    source: str

    def describe(self) -> str:
        parts = [f"{self.total} in all"] if self.total else []
        if self.hot:
            parts.append(f"the latest {self.hot} in the database")
        return ", ".join(parts)


def minimum_retention(framework: str, soc2_retention: str) -> MinimumRetention:
    """The minimum retention of ``framework`` (one of FRAMEWORKS)."""
    return {
        "pci-dss-4": MinimumRetention("pci-dss-4", "1 year", "3 mons", "PCI DSS v4.0 10.5.1"),
        "hipaa": MinimumRetention("hipaa", "6 years", None, "HIPAA 45 CFR 164.316(b)(2)(i)"),
        "soc2": MinimumRetention("soc2", soc2_retention, None, "SOC 2 retention policy"),
        "gdpr": MinimumRetention("gdpr", None, None, "GDPR 5(1)(e) sets a maximum only"),
    }[framework]


def approximate_days(interval: str) -> int:
    """A period as PostgreSQL prints it, in days as PostgreSQL compares intervals (a month is
    30 days, a year 360)."""
    amounts = dict.fromkeys(("year", "mon", "day"), 0)
    for count, unit in re.findall(r"([0-9]+) (year|mon|day)s?", interval):
        amounts[unit] = int(count)
    return amounts["year"] * 360 + amounts["mon"] * 30 + amounts["day"]


def shortfall(minimum: MinimumRetention, hot: str, total: str) -> str | None:
    """Why a class kept ``hot`` in the database and ``total`` in all falls short of
    ``minimum``; None when it does not."""
    if minimum.total and approximate_days(total) < approximate_days(minimum.total):
        return f"it keeps rows {total} in all"
    if minimum.hot and approximate_days(hot) < approximate_days(minimum.hot):
        return f"it keeps rows {hot} in the database"
    return None


def policy_allowed(level: str, policy: Policy) -> str | None:
    """Why ``policy`` is not allowed at ``level``; None when it is."""
    if level == "restricted" and policy not in (HASH, OMIT):
        return "a restricted value leaves nothing readable in the trail: use hash or omit"
    if level == "confidential" and policy == PLAIN:
        return "a confidential value is never stored plain: use hash, omit or a mask"
    return None


def guessed_level(policy: Policy) -> str:
    """The level ``init`` proposes beside its policy guess: what a reviewer starts from."""
    if policy == OMIT:
        return "restricted"
    return "internal" if policy == PLAIN else "confidential"
