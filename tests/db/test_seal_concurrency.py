"""Sealing under concurrent writers: nobody waits, nothing is lost, every row sealed exactly once."""

from __future__ import annotations

import threading

import psycopg
import pytest

from pgaudit_kit import api
from tests.fixtures.db import AuditEnv

from .helpers import audited_customers, seal_all


def _all_sealed_ids(env: AuditEnv) -> list[int]:
    ids: list[int] = []
    for (blob,) in env.sql("select ids from audit.block_leaves order by block_no"):
        data = bytes(blob)
        ids += [int.from_bytes(data[i : i + 8], "big", signed=True) for i in range(0, len(data), 8)]
    return ids


@pytest.mark.slow
def test_writers_with_open_transactions_while_sealing_in_a_loop(env: AuditEnv) -> None:
    """Four writers, each holding some transactions open across two complete seal runs, one
    in five rolled back; asserted on outcomes only: no seal ever sealed past a transaction
    still open, and in the end every row is in exactly one block and the chain verifies."""
    audited_customers(env)
    stop = threading.Event()
    errors: list[BaseException] = []
    progress = threading.Condition()
    runs = 0  # complete seal runs
    sealed_up_to = 0  # the highest txid_hi sealed so far (exclusive: rows below it are sealed)
    held = 0

    def hold_across_two_seals(conn: psycopg.Connection[tuple[int]]) -> None:
        nonlocal held
        (txid,) = conn.execute("select pg_current_xact_id()::text::bigint").fetchone() or (0,)
        with progress:
            target = runs + 2
            # not a time assertion: a bound so that a broken sealer fails the test, not hangs it
            if not progress.wait_for(lambda: runs >= target or stop.is_set(), timeout=120):
                raise AssertionError("the sealer stopped running")
            if sealed_up_to > txid:  # blocks cover txid_lo <= txid < txid_hi
                raise AssertionError(f"transaction {txid} was sealed while still open")
            held += 1

    def writer(worker: int) -> None:
        try:
            with psycopg.connect(env.app_dsn) as conn:
                for n in range(25):
                    key = worker * 1000 + n
                    conn.execute(
                        "insert into customers values (%s, %s, null, 'pw', 'new', null)",
                        [key, f"w{key}@x.org"],
                    )
                    if n % 8 == worker:
                        hold_across_two_seals(conn)  # holds the horizon back meanwhile
                    conn.execute("update customers set status = 'done' where id = %s", [key])
                    if (n + worker) % 5 == 0:
                        conn.rollback()  # rolled back: must leave nothing to seal
                    else:
                        conn.commit()
        except BaseException as e:
            errors.append(e)

    def sealer() -> None:
        nonlocal runs, sealed_up_to
        try:
            while not stop.is_set():
                api.seal(env.config_path, env.dsn, max_rows=40)
                (hi,) = env.sql("select coalesce(max(txid_hi), 0) from audit.blocks")[0]
                with progress:
                    runs, sealed_up_to = runs + 1, int(hi)
                    progress.notify_all()
        except BaseException as e:
            errors.append(e)
            stop.set()

    writers = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    loop = threading.Thread(target=sealer)
    loop.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    stop.set()
    loop.join()
    assert not errors, errors
    # every transaction meant to be held open was, across two complete seal runs
    assert held == sum(1 for w in range(4) for n in range(25) if n % 8 == w)
    seal_all(env)
    logged = sorted(int(r[0]) for r in env.sql("select id from audit.log_rows"))
    assert sorted(_all_sealed_ids(env)) == logged  # each row in exactly one block
    report = api.verify(env.config_path, env.dsn)
    assert report.ok and report.unsealed_rows == 0
    assert report.rows_verified == len(logged)


def test_a_second_sealer_is_refused_at_once_and_told_who_seals(env: AuditEnv) -> None:
    audited_customers(env)
    env.sql(
        "insert into customers values (1, 'a@x.org', null, 'pw', 'new', null)", role=env.roles.app
    )
    with psycopg.connect(env.dsn) as first:
        first.execute("select * from audit.seal()")  # holds the sealing lock until it commits
        (pid,) = first.execute("select pg_backend_pid()").fetchone() or (None,)
        with psycopg.connect(env.dsn) as second:
            second.execute("set lock_timeout = '5s'")  # NOWAIT: refused at once, never queued
            with pytest.raises(
                psycopg.errors.LockNotAvailable,
                match=f"another seal run is in progress \\(pid {pid}, role postgres, since ",
            ):
                second.execute("select count(*) from audit.seal()")
        first.commit()
    # the first call may have sealed only part: on a shared server the horizon is cluster-wide
    seal_all(env)
    logged = sorted(int(r[0]) for r in env.sql("select id from audit.log_rows"))
    assert sorted(_all_sealed_ids(env)) == logged  # each row in exactly one block


def test_writers_never_wait_for_an_open_seal(env: AuditEnv) -> None:
    audited_customers(env)
    with psycopg.connect(env.dsn) as sealing:
        sealing.execute("select * from audit.seal()")
        with psycopg.connect(env.app_dsn) as writer:
            writer.execute("set lock_timeout = '500ms'")
            writer.execute("insert into customers values (1, 'a@x.org', null, 'pw', 'new', null)")
            writer.execute("update customers set status = 'x' where id = 1")
            writer.commit()
        sealing.commit()
    assert len(api.status(env.config_path, env.dsn).tables) == 1


def test_blocks_are_bounded_at_transaction_boundaries(env: AuditEnv) -> None:
    audited_customers(env)
    for batch, size in enumerate((10, 50, 5, 5, 5)):
        env.sql(
            "insert into customers select g, 'u' || g || '@x.org', null, 'pw', 'new', null"
            f" from generate_series({batch * 100 + 1}, {batch * 100 + size}) g",
            role=env.roles.app,
        )
    seal_all(env, max_rows=20)
    counts = [int(r[0]) for r in env.sql("select row_count from audit.blocks order by block_no")]
    # a transaction is never split; a large one stands alone; small ones share a block
    assert 50 in counts and sum(counts) == int(env.sql("select count(*) from audit.log_rows")[0][0])
    assert all(c <= 20 or c == 50 for c in counts) and len(counts) >= 3


def test_a_transaction_larger_than_a_block_after_a_txid_gap_leaves_no_range_gap(
    env: AuditEnv,
) -> None:
    """Blocks cut at max_rows must still cover contiguous transaction ranges when the first
    transaction past the last block has more rows than a block holds and other databases'
    transactions used the ids in between (found on a shared server: verify said range_gap)."""
    audited_customers(env)
    seal_all(env)
    for _ in range(3):  # transaction ids used elsewhere: a gap before the next audited one
        env.sql("select pg_current_xact_id()")
    env.sql(
        "insert into customers select g, 'u' || g || '@x.org', null, 'pw', 'new', null"
        " from generate_series(1, 50) g",
        role=env.roles.app,
    )
    env.sql(
        "insert into customers select g, 'u' || g || '@x.org', null, 'pw', 'new', null"
        " from generate_series(51, 60) g",
        role=env.roles.app,
    )
    seal_all(env, max_rows=20)
    report = api.verify(env.config_path, env.dsn)
    assert report.problems == [], report.problems
    assert report.ok and report.unsealed_rows == 0
