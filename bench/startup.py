"""Start-up (issue 12): how long ``pgaudit-kit --version`` and ``--help`` take, beside the floor
every Python CLI on psycopg pays, ``python -c "import click, psycopg"``.

Each command runs ``rounds`` times, interleaved (A B C, B C A, ...), as a fresh process; the
figure is the median wall time. The package imports nothing heavy before a command needs it
(SQLAlchemy, Alembic, Mako, cryptography, sqlglot, pglast), so both should sit near the floor.
Needs no database.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .log import progress
from .results import Check, Target, median
from .sizes import Sizes

#: The wall time the issue allows --version and --help.
LIMIT_SECONDS = 0.3


def _commands() -> dict[str, list[str]]:
    cli = str(Path(sys.executable).parent / "pgaudit-kit")
    return {
        "import click, psycopg": [sys.executable, "-c", "import click, psycopg"],
        "pgaudit-kit --version": [cli, "--version"],
        "pgaudit-kit --help": [cli, "--help"],
    }


def run(sizes: Sizes) -> tuple[list[Check], dict[str, Any]]:
    commands = _commands()
    names = list(commands)
    samples: dict[str, list[float]] = {name: [] for name in names}
    rounds = 3 if sizes.quick else 15
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            started = time.perf_counter()
            subprocess.run(commands[name], check=True, capture_output=True)
            samples[name].append(time.perf_counter() - started)
    floor = median(samples["import click, psycopg"])
    progress(
        "startup: " + ", ".join(f"{name} {median(samples[name]) * 1000:.0f} ms" for name in names)
    )
    checks = [
        Check(
            "startup",
            name,
            median(samples[name]),
            "s",
            baseline=floor,
            baseline_name="import click, psycopg",
            target=Target("<=", LIMIT_SECONDS, on="value", note="issue 12"),
            samples=samples[name],
        )
        for name in names[1:]
    ]
    return checks, {"samples_s": samples, "rounds": rounds}
