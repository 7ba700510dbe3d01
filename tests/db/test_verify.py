"""verify detects every kind of tampering a superuser can do, each under its own kind."""

from __future__ import annotations

from pathlib import Path

import psycopg

from pgaudit_kit import api
from pgaudit_kit.verify import VerifyResult
from tests.fixtures.db import AuditEnv

from .helpers import audited_customers, make_digest, seal_all


def _sealed_trail(env: AuditEnv, batches: int = 3, rows: int = 20) -> None:
    """Customers written in ``batches`` transactions, each batch sealed into its own block."""
    audited_customers(env)
    seal_all(env)  # the install's own events
    for batch in range(batches):
        with psycopg.connect(env.app_dsn) as conn:
            for i in range(rows):
                n = batch * rows + i
                conn.execute(
                    "insert into customers values (%s, %s, null, 'pw', 'new', null)",
                    [n, f"u{n}@x.org"],
                )
            conn.execute("update customers set status = 'seen' where id = %s", [batch * rows])
        seal_all(env)


def _verify(env: AuditEnv, **kwargs: object) -> VerifyResult:
    return api.verify(env.config_path, env.dsn, **kwargs)  # type: ignore[arg-type]


def _kinds(report: VerifyResult) -> list[tuple[str, int | None, int | None]]:
    return [(p.kind, p.block, p.row_id) for p in report.problems]


def _row_id(env: AuditEnv, block_no: int, nth: int = 0) -> int:
    rows = env.sql(
        "select l.id from audit.log_rows l, audit.blocks b where b.block_no = %s"
        " and l.txid >= b.txid_lo and l.txid < b.txid_hi order by l.txid, l.id",
        [block_no],
    )
    return int(rows[nth][0])


def test_an_intact_trail_verifies(env: AuditEnv) -> None:
    _sealed_trail(env)
    env.sql(
        "insert into customers values (999, 'late@x.org', null, 'pw', 'new', null)",
        role=env.roles.app,
    )
    report = _verify(env)
    assert report.ok, report.problems
    total = env.sql("select count(*) from audit.log_rows")[0][0]
    assert report.rows_verified == total - 1
    assert report.unsealed_rows == 1 and report.blocks_verified == 4


def test_verify_reports_edited_sealed_row(env: AuditEnv) -> None:
    _sealed_trail(env)
    victim = _row_id(env, 3, 5)
    env.sql("update audit.log_rows set new_values = '{\"id\" : 1}' where id = %s", [victim])
    assert _kinds(_verify(env)) == [("edited", 3, victim)]


def test_verify_reports_an_edited_header_field_of_a_row(env: AuditEnv) -> None:
    _sealed_trail(env)
    victim = _row_id(env, 2, 1)
    env.sql("update audit.log_rows set effective_role = 'someone_else' where id = %s", [victim])
    assert _kinds(_verify(env)) == [("edited", 2, victim)]


def test_verify_reports_deleted_sealed_row(env: AuditEnv) -> None:
    _sealed_trail(env)
    victim = _row_id(env, 4, 0)
    env.sql("delete from audit.log_rows where id = %s", [victim])
    assert _kinds(_verify(env)) == [("deleted", 4, victim)]


def test_verify_reports_a_row_inserted_into_a_sealed_range(env: AuditEnv) -> None:
    _sealed_trail(env)
    template = _row_id(env, 2, 3)
    (new_id,) = env.sql(
        "insert into audit.log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values, new_values,"
        " changed_columns, login_role, effective_role, application_name, client_addr, request_id, trace_id, key_id)"
        " select txid, tx_time, stmt_time, 'DELETE', table_name, row_key, new_values, null, null, login_role,"
        " effective_role, application_name, client_addr, request_id, trace_id, key_id"
        " from audit.log_rows where id = %s returning id",
        [template],
    )[0]
    assert _kinds(_verify(env)) == [("inserted", 2, new_id)]


def test_verify_reports_a_hidden_insert_below_the_horizon(env: AuditEnv) -> None:
    _sealed_trail(env)
    (new_id,) = env.sql(
        "insert into audit.log_rows (txid, tx_time, stmt_time, op, table_name, login_role, effective_role)"
        " values (5, '2001-01-01 00:00:00+00', '2001-01-01 00:00:00+00', 'DELETE', 'public.customers', 'x', 'x')"
        " returning id"
    )[0]
    assert _kinds(_verify(env)) == [("hidden_insert", None, new_id)]


def test_verify_reports_two_rows_with_swapped_contents(env: AuditEnv) -> None:
    _sealed_trail(env)
    a, b = _row_id(env, 3, 2), _row_id(env, 3, 7)
    env.script(
        f"""
        create temp table keep as select * from audit.log_rows where id in ({a}, {b});
        update audit.log_rows l set (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
            new_values, changed_columns, login_role, effective_role, application_name, client_addr,
            request_id, trace_id, key_id) = (k.txid, k.tx_time, k.stmt_time, k.op, k.table_name, k.row_key,
            k.old_values, k.new_values, k.changed_columns, k.login_role, k.effective_role,
            k.application_name, k.client_addr, k.request_id, k.trace_id, k.key_id)
        from keep k where k.id = case l.id when {a} then {b} else {a} end and l.id in ({a}, {b});
        """
    )
    assert _kinds(_verify(env)) == [("swapped", 3, a)]


def test_verify_reports_an_edited_block_header(env: AuditEnv) -> None:
    _sealed_trail(env)
    env.sql("update audit.blocks set row_count = row_count + 1 where block_no = 2")
    kinds = _kinds(_verify(env))
    assert ("block_edited", 2, None) in kinds


def test_verify_reports_a_deleted_block(env: AuditEnv) -> None:
    _sealed_trail(env)
    env.script(
        "delete from audit.block_leaves where block_no = 2; delete from audit.blocks where block_no = 2;"
    )
    kinds = _kinds(_verify(env))
    assert ("block_missing", 2, None) in kinds
    assert {k for k, _, _ in kinds} <= {"block_missing", "hidden_insert"}


def test_verify_reports_reordered_blocks(env: AuditEnv) -> None:
    """Blocks 2 and 3 exchange places (every field but their number)."""
    _sealed_trail(env)
    env.script(
        """
        create temp table keep as select * from audit.blocks where block_no in (2, 3);
        create temp table keep_leaves as select * from audit.block_leaves where block_no in (2, 3);
        update audit.blocks b set (format, bucket_start, bucket_end, txid_lo, txid_hi, row_count,
            merkle_root, prev_hash, sealed_at, block_hash) = (k.format, k.bucket_start, k.bucket_end,
            k.txid_lo, k.txid_hi, k.row_count, k.merkle_root, k.prev_hash, k.sealed_at, k.block_hash)
        from keep k where k.block_no = 5 - b.block_no and b.block_no in (2, 3);
        update audit.block_leaves b set (ids, leaves) = (k.ids, k.leaves)
        from keep_leaves k where k.block_no = 5 - b.block_no and b.block_no in (2, 3);
        """
    )
    kinds = {k for k, _, _ in _kinds(_verify(env))}
    assert "block_reordered" in kinds


def test_verify_reports_a_broken_link(env: AuditEnv) -> None:
    """Block 2's root is recomputed over an edited row and its hash made consistent again: only
    the next block's link shows it."""
    _sealed_trail(env)
    victim = _row_id(env, 2, 0)
    env.script(
        f"""
        update audit.log_rows set new_values = '{{"edited" : true}}' where id = {victim};
        set timezone = 'UTC'; set datestyle = 'ISO, YMD';
        update audit.block_leaves set leaves = (
            select string_agg(audit.row_leaf(l), ''::bytea order by l.txid, l.id)
            from audit.log_rows l, audit.blocks b
            where b.block_no = 2 and l.txid >= b.txid_lo and l.txid < b.txid_hi) where block_no = 2;
        update audit.blocks set merkle_root = audit.merkle_root((select leaves from audit.block_leaves where block_no = 2))
        where block_no = 2;
        update audit.blocks set block_hash = sha256('\\x02'::bytea || convert_to(concat_ws(E'\\t', format, block_no,
            bucket_start, bucket_end, txid_lo, txid_hi, row_count, encode(merkle_root, 'hex'), encode(prev_hash, 'hex'),
            sealed_at, audit.copy_text(table_names::text)), 'UTF8')) where block_no = 2;
        """
    )
    report = _verify(env)
    assert _kinds(report) == [("broken_link", 3, None)], report.problems


def test_edited_rows_and_leaves_are_reported_as_leaves_edited(env: AuditEnv) -> None:
    _sealed_trail(env)
    victim = _row_id(env, 2, 0)
    env.script(
        f"update audit.log_rows set new_values = '{{}}' where id = {victim};"
        " update audit.block_leaves set leaves = sha256(leaves) where block_no = 2;"
    )
    assert _kinds(_verify(env)) == [("leaves_edited", 2, None)]


def test_duplicate_ids_are_reported(env: AuditEnv) -> None:
    _sealed_trail(env)
    victim = _row_id(env, 2, 0)
    env.sql("insert into audit.log_rows select * from audit.log_rows where id = %s", [victim])
    assert _kinds(_verify(env)) == [("duplicate_id", 2, victim)]


# --- digests catch what the chain alone cannot -----------------------------------------------


def test_digests_of_an_intact_chain_verify(
    env: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    _sealed_trail(env, batches=1)
    make_digest(env, keys, tmp_path / "digests")
    _sealed_trail_more(env)
    make_digest(env, keys, tmp_path / "digests")
    report = _verify(env, digests_dir=tmp_path / "digests", pubkey=keys[1])
    assert report.ok and report.digests_checked == 2


def _sealed_trail_more(env: AuditEnv) -> None:
    env.sql(
        "insert into customers values (500, 'more@x.org', null, 'pw', 'new', null)",
        role=env.roles.app,
    )
    seal_all(env)


def test_a_cut_tail_is_caught_by_a_digest(
    env: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    _sealed_trail(env)
    make_digest(env, keys, tmp_path / "digests")
    env.script(
        "delete from audit.log_rows l using audit.blocks b where b.block_no = 4"
        " and l.txid >= b.txid_lo and l.txid < b.txid_hi;"
        " delete from audit.block_leaves where block_no = 4; delete from audit.blocks where block_no = 4;"
    )
    assert _verify(env).ok  # the chain alone cannot tell
    report = _verify(env, digests_dir=tmp_path / "digests", pubkey=keys[1])
    assert _kinds(report) == [("tail_cut", 4, None)]


def test_a_recomputed_chain_is_caught_by_a_digest(
    env: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    _sealed_trail(env)
    make_digest(env, keys, tmp_path / "digests")
    victim = _row_id(env, 3, 1)
    env.script(
        f"update audit.log_rows set new_values = '{{\"rewritten\" : true}}' where id = {victim};"
        " delete from audit.block_leaves; delete from audit.blocks;"
    )
    seal_all(env)
    assert _verify(env).ok  # a consistent, fully recomputed chain
    report = _verify(env, digests_dir=tmp_path / "digests", pubkey=keys[1])
    assert [k for k, _, _ in _kinds(report)] == ["chain_rewritten"]


def test_a_replaced_trail_is_caught_by_a_digest(
    env: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    _sealed_trail(env, batches=1)
    make_digest(env, keys, tmp_path / "digests")
    env.sql("update audit.settings set chain_id = gen_random_uuid()")
    report = _verify(env, digests_dir=tmp_path / "digests", pubkey=keys[1])
    assert [k for k, _, _ in _kinds(report)] == ["chain_rewritten"]
    assert "the whole trail was replaced" in report.problems[0].detail


def test_problem_json_shape(env: AuditEnv) -> None:
    _sealed_trail(env, batches=1)
    victim = _row_id(env, 2, 0)
    env.sql("delete from audit.log_rows where id = %s", [victim])
    document = _verify(env).to_json()
    assert document["ok"] is False and document["schema_version"] == 1
    assert document["problems"] == [
        {"kind": "deleted", "block": 2, "row_id": victim, "detail": "sealed, now missing"}
    ]
    assert {"rows_verified", "blocks_verified", "unsealed_rows"} <= set(document)


def test_parallel_workers_share_one_snapshot_and_find_the_same_problems(env: AuditEnv) -> None:
    """With jobs > 1 the chunks are verified by worker processes in the coordinator's exported
    snapshot; they must report exactly what one process reports."""
    audited_customers(env)
    for batch in range(4):
        env.sql(
            "insert into customers select g, 'u' || g || '@x.org', null, 'pw', 'new', null"
            f" from generate_series({batch * 50 + 1}, {batch * 50 + 50}) g",
            role=env.roles.app,
        )
    seal_all(env, max_rows=20)
    victim = _row_id(env, 3, 2)
    env.sql("update audit.log_rows set new_values = '{}' where id = %s", [victim])
    serial = _verify(env)
    parallel = _verify(env, jobs=2)
    assert _kinds(parallel) == _kinds(serial) == [("edited", 3, victim)]
    assert parallel.rows_verified == serial.rows_verified
    assert serial.blocks_verified >= 5
