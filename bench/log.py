"""Progress lines on stderr, each prefixed with the elapsed wall time."""

from __future__ import annotations

import sys
import time

_STARTED = time.monotonic()


def progress(message: str) -> None:
    """Print one progress line on stderr, e.g. ``[  42.1s] pgbench: plain, 4 clients: 812 tps``."""
    print(f"[{time.monotonic() - _STARTED:7.1f}s] {message}", file=sys.stderr, flush=True)


def elapsed() -> float:
    """Seconds since the suite started."""
    return time.monotonic() - _STARTED
