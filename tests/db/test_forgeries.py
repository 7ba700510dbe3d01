"""Forgeries by someone with full rights, which verify must catch: each side table the toolkit
keeps is judged by the sealed events of the trail, every row is accounted for, and time is
checked. Every test here runs as the superuser who wants a forged history to verify."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import psycopg
import pytest

from pgaudit_kit import api
from pgaudit_kit.errors import InputError
from pgaudit_kit.verify import VerifyResult
from tests.cli.helpers import run
from tests.fixtures.db import AuditEnv

from .helpers import CUSTOMERS_DDL, make_digest, seal_all
from .test_retention import TABLES, backdate

ADMIN = "admin_roles"


def _install(env: AuditEnv) -> None:
    """Customers (pci, 1 year) and patients (hipaa), the test's 'other' login an admin."""
    env.script(
        CUSTOMERS_DDL
        + "create table public.patients (id int primary key);"
        + f"alter table public.customers owner to {env.roles.app};"
        + f"alter table public.patients owner to {env.roles.app};"
    )
    env.write_config(TABLES, audit=f'{ADMIN} = ["{env.roles.other}"]')
    env.apply()


def _write(env: AuditEnv, first: int, count: int = 5) -> None:
    env.sql(
        "insert into customers select g, 'u' || g || '@x.org', null, 'pw', 'new', null"
        " from generate_series(%s::int, %s::int) g",
        [first, first + count - 1],
        role=env.roles.app,
    )


def _verify(env: AuditEnv, **kwargs: object) -> VerifyResult:
    return api.verify(env.config_path, env.dsn, **kwargs)  # type: ignore[arg-type]


def _kinds(report: VerifyResult) -> set[str]:
    return {p.kind for p in report.problems}


def _sealed(env: AuditEnv) -> None:
    _install(env)
    _write(env, 1)
    seal_all(env)


_INSERT = (
    "insert into audit.log_rows (txid, tx_time, stmt_time, op, table_name, row_key, new_values,"
    " login_role, effective_role) values (%s, {time}, {time}, 'INSERT', 'public.customers',"
    " '{{\"id\": 1}}', '{{\"id\": 1}}', 'app', 'app') returning id"
)


def _forge_row(env: AuditEnv, txid: int | str, when: str = "now()") -> int:
    query = _INSERT.format(time=when).replace("%s", str(txid))
    return int(env.sql(query)[0][0])


# --- every row is accounted for ---------------------------------------------------------------


@pytest.mark.parametrize("txid", [-1, -(2**62)])
def test_a_row_below_every_block_is_a_hidden_insert(
    env: AuditEnv, keys: tuple[Path, Path], tmp_path: Path, txid: int
) -> None:
    _sealed(env)
    make_digest(env, keys, tmp_path / "d")
    forged = _forge_row(env, txid)
    for kwargs in ({}, {"digests_dir": tmp_path / "d", "pubkey": keys[1]}):
        report = _verify(env, **kwargs)
        assert [(p.kind, p.row_id) for p in report.problems] == [("hidden_insert", forged)]


def test_a_row_below_sealing_before_any_block_is_a_hidden_insert(env: AuditEnv) -> None:
    _install(env)
    forged = _forge_row(env, -5)
    report = _verify(env)
    assert [(p.kind, p.row_id) for p in report.problems] == [("hidden_insert", forged)]
    assert "below where sealing starts" in report.problems[0].detail


def test_a_row_with_a_transaction_id_never_assigned_is_a_hidden_insert(env: AuditEnv) -> None:
    _sealed(env)
    forged = _forge_row(env, 10**15)
    api.seal(env.config_path, env.dsn)  # a seal can never take it
    report = _verify(env)
    assert [(p.kind, p.row_id) for p in report.problems] == [("hidden_insert", forged)]
    assert "not been assigned" in report.problems[0].detail


def test_a_forged_row_dated_in_the_future_is_reported_before_and_after_sealing(
    env: AuditEnv,
) -> None:
    _sealed(env)
    forged = _forge_row(env, "pg_current_xact_id()::text::bigint", "now() + interval '3 years'")
    assert ("dated_after_seal", forged) in {(p.kind, p.row_id) for p in _verify(env).problems}
    seal_all(env)
    report = _verify(env)
    assert ("dated_after_seal", forged) in {(p.kind, p.row_id) for p in report.problems}
    assert "sealed_out_of_order" in _kinds(report)  # its block's bucket begins after its seal


def test_a_duplicate_id_sealed_with_its_copy_is_reported_and_cannot_be_proved(
    env: AuditEnv, tmp_path: Path
) -> None:
    _sealed(env)
    (victim,) = env.sql("select max(id) from audit.log_rows where op = 'INSERT'")[0]
    env.sql(
        "insert into audit.log_rows select id, pg_current_xact_id()::text::bigint, tx_time,"
        " stmt_time, op, table_name, row_key, old_values, new_values, changed_columns, login_role,"
        " effective_role, application_name, client_addr, request_id, trace_id, key_id"
        " from audit.log_rows where id = %s",
        [victim],
    )
    seal_all(env)
    report = _verify(env)
    assert [(p.kind, p.row_id) for p in report.problems] == [("duplicate_id", victim)]
    with pytest.raises(InputError, match=f"2 audit rows have the id {victim}"):
        api.prove(env.config_path, env.dsn, victim, out=tmp_path / "p.json")


# --- redactions -------------------------------------------------------------------------------


def _redactable(env: AuditEnv) -> int:
    _sealed(env)
    return int(env.sql("select min(id) from audit.log_rows where op = 'INSERT'")[0][0])


def _forge_redaction(env: AuditEnv, row_id: int, values: str) -> None:
    """Change a sealed row's values, and record a redaction of it as redact() would, REDACT
    event included (not sealed yet)."""
    env.script(
        f"create temp table before as select audit.payload_digest(l) as digest"
        f" from audit.log_rows l where id = {row_id};"
        f" update audit.log_rows set new_values = {values} where id = {row_id};"
        " insert into audit.redactions (row_id, reason, redacted_by, payload_digest,"
        " redacted_digest) select l.id, 'forged', session_user, b.digest, audit.payload_digest(l)"
        f" from audit.log_rows l, before b where l.id = {row_id};"
        " select audit.record_event('REDACT', 'public.customers', json_build_object('row_id',"
        f" {row_id}, 'reason', 'forged', 'payload_digest', (select digest from before),"
        " 'redacted_digest', (select redacted_digest from audit.redactions"
        f" where row_id = {row_id})));"
    )


def test_a_forged_redaction_of_other_values_is_caught_before_and_after_its_event_is_sealed(
    env: AuditEnv,
) -> None:
    row_id = _redactable(env)
    _forge_redaction(env, row_id, """'{"id": 1, "email": "someone else"}'""")
    for _ in range(2):  # REDACT event pending, then sealed
        report = _verify(env)
        assert ("forged_redaction", row_id) in {(p.kind, p.row_id) for p in report.problems}
        assert ("edited", row_id) in {(p.kind, p.row_id) for p in report.problems}
        assert report.redacted == [] or all(r.reason == "forged" for r in report.redacted)
        seal_all(env)


def test_a_redaction_whose_event_is_not_sealed_legitimises_nothing(env: AuditEnv) -> None:
    row_id = _redactable(env)
    _forge_redaction(env, row_id, """json_build_object('redacted', true)""")
    report = _verify(env)
    assert [(p.kind, p.row_id) for p in report.problems] == [("forged_redaction", row_id)]
    assert "not sealed yet" in report.problems[0].detail and report.redacted == []


def test_edited_redaction_records_are_caught_and_the_sealed_event_is_shown(env: AuditEnv) -> None:
    row_id = _redactable(env)
    api.redact(env.config_path, env.dsn_as(env.roles.other), row_id, "court order 77")
    seal_all(env)  # redact seals at once, unless another session holds the horizon
    env.sql(
        "update audit.redactions set reason = 'routine cleanup', redacted_by = 'nobody',"
        " redacted_at = '2001-01-01' where row_id = %s",
        [row_id],
    )
    report = _verify(env)
    assert [(p.kind, p.row_id) for p in report.problems] == [("redaction_edited", row_id)]
    detail = report.problems[0].detail
    assert "reason is 'routine cleanup' in the table, 'court order 77' in the event" in detail
    assert "author is 'nobody'" in detail and "time is 2001-01-01" in detail
    assert [(r.reason, r.redacted_by) for r in report.redacted] == [
        ("court order 77", env.roles.other)
    ]


def test_a_deleted_redaction_record_leaves_the_row_failing(env: AuditEnv) -> None:
    row_id = _redactable(env)
    api.redact(env.config_path, env.dsn_as(env.roles.other), row_id, "court order 77")
    seal_all(env)  # redact seals at once, unless another session holds the horizon
    env.sql("delete from audit.redactions where row_id = %s", [row_id])
    assert ("edited", row_id) in {(p.kind, p.row_id) for p in _verify(env).problems}


# --- legal holds --------------------------------------------------------------------------------


def test_holds_released_behind_the_trails_back_are_caught_and_so_is_the_purge_they_allow(
    env: AuditEnv,
) -> None:
    _install(env)
    backdate(env, "public.customers", "2020-01-15 00:00:00+00")
    env.sql("select audit.premake_partitions(3)")
    seal_all(env)
    admin = env.dsn_as(env.roles.other)
    hold = api.hold_add(env.config_path, admin, reason="case 17", table="public.customers")
    seal_all(env)
    assert _verify(env).ok
    env.sql(
        "update audit.holds set released_at = now(), released_by = 'someone',"
        " release_reason = 'quietly' where hold_id = %s",
        [hold.hold_id],
    )
    report = _verify(env)
    assert [p.kind for p in report.problems] == ["hold_mismatch"]
    assert "no HOLD event records a release" in report.problems[0].detail
    purged = api.purge(env.config_path, admin).partitions
    assert "dropped" in {p.action for p in purged if p.range_from.year == 2020}
    seal_all(env)
    report = _verify(env)
    assert sorted(p.kind for p in report.problems) == ["held_purge", "hold_mismatch"]
    assert "legal hold" in next(p.detail for p in report.problems if p.kind == "held_purge")


@pytest.mark.parametrize(
    ("edit", "why"),
    [
        ("update audit.holds set reason = 'nothing'", "its reason is 'nothing' in the table"),
        ("update audit.holds set to_time = '2000-01-01', from_time = null", "its end is"),
        ("delete from audit.holds", "is gone from the holds table"),
    ],
)
def test_edited_or_deleted_holds_are_caught(env: AuditEnv, edit: str, why: str) -> None:
    _sealed(env)
    api.hold_add(env.config_path, env.dsn_as(env.roles.other), reason="case 17")
    seal_all(env)
    env.sql(edit)
    report = _verify(env)
    assert [p.kind for p in report.problems] == ["hold_mismatch"]
    assert why in report.problems[0].detail


def test_a_hold_nobody_recorded_is_caught(env: AuditEnv) -> None:
    _sealed(env)
    env.sql("insert into audit.holds (reason) values ('made up')")
    report = _verify(env)
    assert [p.kind for p in report.problems] == ["hold_mismatch"]
    assert "no sealed HOLD event records it" in report.problems[0].detail


# --- keys ----------------------------------------------------------------------------------------


def test_edited_key_records_are_caught(env: AuditEnv) -> None:
    _sealed(env)
    admin = env.dsn_as(env.roles.other)
    api.shred_key(env.config_path, admin, 1, "erasure order 5")
    seal_all(env)
    assert _verify(env).ok
    env.sql("update audit.hmac_keys set shred_reason = 'routine' where key_id = 1")
    env.sql(
        "update audit.hmac_keys set created_at = created_at - interval '1 day' where key_id = 2"
    )
    report = _verify(env)
    assert [p.kind for p in report.problems] == ["key_mismatch", "key_mismatch"]
    assert "shred reason is 'routine'" in report.problems[0].detail


# --- digests -------------------------------------------------------------------------------------


def test_every_block_deleted_is_a_cut_tail_with_digests(
    env: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    _sealed(env)
    make_digest(env, keys, tmp_path / "d")
    env.script("delete from audit.block_leaves; delete from audit.blocks;")
    result = run(
        "--config", str(env.config_path), "--dsn", env.dsn,
        "verify", "--digests", str(tmp_path / "d"), "--pubkey", str(keys[1]),
    )  # fmt: skip
    assert result.exit_code == 1, result.output + result.stderr
    assert "tail_cut" in result.output


def test_an_old_digest_whose_unsigned_row_count_was_changed_is_reported(
    env: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    """Digests written before the note signed rows-sealed: that field is compared with the
    chain, never ignored."""
    import json

    from pgaudit_kit import digest

    _sealed(env)
    path = make_digest(env, keys, tmp_path / "d")
    document = json.loads(path.read_text())
    body = "\n".join(document["checkpoint"].split("\n\n")[0].splitlines()[:5]) + "\n"
    key = digest.load_private_key(keys[0])
    name = digest.key_name(key.public_key())
    signature = digest._key_hash(name, key.public_key()) + key.sign(body.encode())
    import base64

    document["checkpoint"] = f"{body}\n— {name} {base64.b64encode(signature).decode()}\n"
    document["rows_sealed"] += 1
    path.write_text(json.dumps(document))
    report = _verify(env, digests_dir=tmp_path / "d", pubkey=keys[1])
    assert [p.kind for p in report.problems] == ["digest_altered"]
    document["rows_sealed"] -= 1
    path.write_text(json.dumps(document))
    assert _verify(env, digests_dir=tmp_path / "d", pubkey=keys[1]).ok


# --- no false positive --------------------------------------------------------------------------


def _busy_trail(env: AuditEnv) -> None:
    """A trail with everything that changes how rows are judged: purges, a hold added and
    released, a redaction, a shredded key, retention changed, and generic capture."""
    _install(env)
    admin = env.dsn_as(env.roles.other)
    backdate(env, "public.customers", "2020-01-15 00:00:00+00")
    backdate(env, "public.customers", "2020-03-15 00:00:00+00")
    backdate(env, "public.patients", "2024-06-15 00:00:00+00")  # hipaa: kept
    env.sql("select audit.premake_partitions(3)")
    _write(env, 1)
    seal_all(env)
    hold = api.hold_add(env.config_path, admin, reason="case 9", table="public.customers")
    api.hold_release(env.config_path, admin, hold.hold_id, reason="closed")
    (row_id,) = env.sql("select min(id) from audit.log_rows where table_name = 'public.customers'"
                        " and tx_time > '2024-01-01' and op = 'INSERT'")[0]  # fmt: skip
    api.redact(env.config_path, admin, int(row_id), "erasure order 3")
    api.shred_key(env.config_path, admin, 1, "erasure order 4")
    env.write_config(TABLES.replace('default = "2 years"', 'default = "3 years"'),
                     audit=f'{ADMIN} = ["{env.roles.other}"]')  # fmt: skip
    env.apply()
    env.sql("alter table public.customers add column nickname text", role=env.roles.app)
    _write(env, 100)
    seal_all(env)
    api.maintain(env.config_path, admin)
    _write(env, 200)


def test_an_intact_busy_trail_verifies_clean(
    env: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    _busy_trail(env)
    for seal in (False, True):  # the purge pending, then sealed
        report = _verify(env)
        assert report.ok, report.problems
        assert len(report.purges) == 2 and report.purged_blocks
        assert [r.reason for r in report.redacted] == ["erasure order 3"]
        if seal:
            make_digest(env, keys, tmp_path / "d")
            report = _verify(env, digests_dir=tmp_path / "d", pubkey=keys[1], jobs=2)
            assert report.ok, report.problems
        seal_all(env)
    assert env.sql("select count(*) from audit.audited_tables where capture_mode = 'generic'") == [
        (1,)
    ]


def test_verify_stays_clean_during_live_writes_and_seals(env: AuditEnv) -> None:
    _sealed(env)
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        n = 1000
        try:
            with psycopg.connect(env.app_dsn, autocommit=True) as conn:
                while not stop.is_set():
                    conn.execute(
                        "insert into customers values (%s, 'w@x.org', null, 'pw', 'new', null)", [n]
                    )
                    conn.execute("update customers set status = 'seen' where id = %s", [n])
                    n += 1
        except BaseException as e:
            errors.append(e)

    def sealer() -> None:
        try:
            while not stop.is_set():
                api.seal(env.config_path, env.dsn)
                time.sleep(0.02)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=writer), threading.Thread(target=sealer)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(20):
            report = _verify(env)
            assert report.ok, report.problems
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert not errors, errors
