"""``seal``: the rows of every finished transaction become hash-chained blocks.

The work is ``<schema>.seal()`` (sql/toolkit/functions/seal.sql), so cron and pg_cron call the
same; this module runs it in the caller's transaction and types what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from .results import Result, json_name, rows_as


@dataclass(frozen=True)
class SealedBlock:
    block_no: int
    row_count: int = field(metadata=json_name("rows"))
    txid_lo: int
    txid_hi: int


@dataclass(frozen=True)
class SealResult(Result):
    """The blocks one seal call made."""

    blocks: tuple[SealedBlock, ...]

    _json_properties = ("rows_sealed",)

    @property
    def rows_sealed(self) -> int:
        return sum(b.row_count for b in self.blocks)

    @property
    def rows(self) -> int:
        return self.rows_sealed


def seal(conn: psycopg.Connection[Any], schema: str, *, max_rows: int) -> SealResult:
    """Seal every audit row whose transaction has finished into hash-chained blocks.

    Safe at any time and concurrently with writers (``<schema>.seal()`` never waits for them);
    a second sealer at the same moment is refused with lock_not_available, naming the first.

    :param max_rows: about how many rows one block may hold (``--max-rows``).
    """
    cursor = conn.execute(
        sql.SQL("select * from {}.seal({})").format(sql.Identifier(schema), sql.Literal(max_rows))
    )
    return SealResult(rows_as(SealedBlock, cursor))
