"""Tiered retention: a class kept a while in the database (hot) and longer in archives (keep).

purge drops a tiered class's partition only once an archive that was read back holds its blocks;
archive prune removes segments past keep with a signed record, and verify --archive checks the
chain across what was pruned and lists what went from each store, and when. Rows are back-dated
as in test_retention.py.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from pgaudit_kit import api, archive, archive_prune, config, digest
from pgaudit_kit.errors import InputError
from tests.cli.helpers import run
from tests.fixtures.db import AuditEnv

from .helpers import CUSTOMERS_DDL, seal_all
from .test_retention import backdate

TIERED = """
[retention]
pci = { hot = "3 months", keep = "1 year" }
default = "2 years"

[tables."public.customers"]
columns = { id = "plain", email = "hash", card_number = "mask:card", password = "omit", status = "plain", note = "plain" }
retention = "pci"
"""


@pytest.fixture
def tiered(env: AuditEnv) -> AuditEnv:
    env.script(CUSTOMERS_DDL + f"alter table public.customers owner to {env.roles.app};")
    env.write_config(TIERED, audit=f'admin_roles = ["{env.roles.other}"]')
    env.apply()
    backdate(env, "public.customers", "2020-01-15 00:00:00+00", rows=12)
    return env


def _maintain_until(env: AuditEnv, action: str) -> list[str]:
    """maintain until the 2020 partition's purge says ``action`` (another session's open
    transaction may hold the sealing horizon for a moment: purge then says unsealed)."""
    actions: list[str] = []
    for _ in range(200):
        result = api.maintain(env.config_path, env.dsn_as(env.roles.other))
        actions = [p.action for p in result.purge if p.range_from.year == 2020]
        if action in actions:
            return actions
        time.sleep(0.05)
    return actions


def _archive(env: AuditEnv, keys: tuple[Path, Path], out: Path) -> archive.ArchiveResult:
    """archive as the admin, who records it."""
    return api.archive(
        env.config_path, env.dsn_as(env.roles.other), signing_key=keys[0], out_dir=out
    )


def test_the_classes_reach_the_database_and_a_change_is_planned(tiered: AuditEnv) -> None:
    assert tiered.sql(
        "select name, keep::text, archive_keep::text from audit.retention_classes order by name"
    ) == [("default", "2 years", None), ("pci", "3 mons", "1 year")]
    *_, event = [e for e in tiered.log("CONFIG") if e["new_values"].get("action") == "retention"]
    assert event["new_values"]["archive"] == {"pci": "1 year"}
    assert not [s for s in tiered.apply().steps if "retention" in s.description]
    tiered.write_config(
        TIERED.replace('keep = "1 year"', 'keep = "2 years"'),
        audit=f'admin_roles = ["{tiered.roles.other}"]',
    )
    assert tiered.apply().changed
    assert tiered.sql(
        "select archive_keep::text from audit.retention_classes where name = 'pci'"
    ) == [("2 years",)]


def test_purge_waits_for_an_archive_then_drops_and_names_it(
    tiered: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    assert _maintain_until(tiered, "unarchived") == ["unarchived"]
    assert tiered.sql("select count(*) from audit.log_rows where tx_time < '2021-01-01'") == [(12,)]
    refused = run("--dsn", tiered.dsn_as(tiered.roles.other), "--config",
                  str(tiered.config_path), "purge", "--dry-run")  # fmt: skip
    assert refused.exit_code == 0 and "unarchived" in refused.output
    assert "run pgaudit-kit archive first" in refused.output
    out = tmp_path / "archive"
    signing = ["--signing-key", str(keys[0]), "--out"]
    # an auditor writes archives, but only an admin (trusted to purge) vouches for one
    audited = run("--dsn", tiered.auditor_dsn, "--config", str(tiered.config_path), "archive",
                  *signing, str(tmp_path / "auditor-copy"))  # fmt: skip
    assert audited.exit_code == 0 and "not recorded in the database" in audited.output
    assert "unarchived" in _maintain_until(tiered, "unarchived")
    written = run("--dsn", tiered.dsn_as(tiered.roles.other), "--config",
                  str(tiered.config_path), "archive", *signing, str(out))  # fmt: skip
    assert written.exit_code == 0 and "recorded as archive 1" in written.output
    (recorded,) = tiered.sql("select first_block, last_block, recorded_by from audit.archives")
    assert recorded[0] == 1 and recorded[2] == tiered.roles.other
    assert [e["new_values"]["sequence"] for e in tiered.log("ARCHIVE")] == [1]
    shown = run("--dsn", tiered.auditor_dsn, "--config", str(tiered.config_path), "status")
    assert "archived classes: pci kept 1 year" in shown.output
    assert f"archives: 1 recorded, up to block {recorded[1]}; 0 sealed block(s)" in shown.output
    assert "dropped" in _maintain_until(tiered, "dropped")
    (purge,) = tiered.log("PURGE")
    assert purge["new_values"]["archives"] == [1] and purge["new_values"]["rows"] == 12
    seal_all(tiered)
    report = api.verify(tiered.config_path, tiered.auditor_dsn)
    assert report.ok, report.problems
    # the archive still holds the purged rows, and the next one lists the purge
    assert _archive(tiered, keys, out).ok
    checked = api.verify_archive(out, pubkey=keys[1])
    assert checked.ok and checked.rows >= 12 and [p["rows"] for p in checked.purges] == [12]


def test_an_archive_is_recorded_only_once_it_reads_back_and_matches_the_chain(
    tiered: AuditEnv, keys: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seal_all(tiered)
    (head, head_hash) = tiered.sql(
        "select block_no, block_hash from audit.blocks order by block_no desc limit 1"
    )[0]
    call = "select audit.archive_record('o', 1, 1, %s, %s, 5, repeat('a', 64))"
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="does not have the hash"):
        tiered.sql(call, [head, b"\x00" * 32], role=tiered.roles.other)
    # neither the app nor a read-only auditor may vouch that rows live on in an archive
    for role in (tiered.roles.app, tiered.roles.auditor):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            tiered.sql(call, [head, head_hash], role=role)
    assert tiered.sql("select count(*) from audit.archives") == [(0,)]
    # a segment that changes on disk before it is read back is not recorded
    out = tmp_path / "archive"
    original = archive._write_segment

    def corrupting(*args: object, **kwargs: object) -> tuple[int, list[int]]:
        result = original(*args, **kwargs)  # type: ignore[arg-type]
        handle = args[-1]
        handle.write(b'{"row": {"block_no": 1}}\n')  # type: ignore[attr-defined]
        return result

    monkeypatch.setattr(archive, "_write_segment", corrupting)
    result = _archive(tiered, keys, out)
    assert not result.ok and result.archive_id is None
    assert tiered.sql("select count(*) from audit.archives") == [(0,)]
    assert "unarchived" in _maintain_until(tiered, "unarchived")


def _prune(
    env: AuditEnv,
    keys: tuple[Path, Path],
    out: Path,
    *,
    now: datetime,
    older_than: str | None = None,
    dry_run: bool = False,
) -> archive_prune.PruneResult:
    """prune_archive at a moment of the test's choosing, as the auditor."""
    with psycopg.connect(env.auditor_dsn) as conn:
        return archive_prune.prune_archive(
            conn, config.load(env.config_path), keys[0], out, now=now,
            older_than=older_than, dry_run=dry_run,
        )  # fmt: skip


def test_prune_removes_what_is_past_keep_with_a_signed_record_verify_checks(
    tiered: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "archive"
    seal_all(tiered)
    first = _archive(tiered, keys, out)
    tiered.sql(
        "insert into customers (id, email) values (900, 'z@example.org')", role=tiered.roles.app
    )
    seal_all(tiered)
    second = _archive(tiered, keys, out)
    assert first.ok and second.ok and first.segment and second.segment
    # today nothing is past keep (the first segment holds today's CONFIG events: default 2 years)
    now = datetime.now(UTC)
    kept = _prune(tiered, keys, out, now=now)
    assert kept.removed == () and {k.name for k in kept.kept} == {
        first.segment.name,
        second.segment.name,
    }
    assert all("kept until" in k.reason for k in kept.kept)
    # a legal hold on the table keeps them, and so does --older-than
    later = datetime(now.year + 3, 1, 1, tzinfo=UTC)
    (hold_id,) = tiered.sql("select audit.hold_add('case 9', 'public.customers')")[0]
    assert all("legal hold" in k.reason for k in _prune(tiered, keys, out, now=later).kept)
    tiered.sql("select audit.hold_release(%s, 'closed')", [hold_id])
    assert _prune(tiered, keys, out, now=later, older_than="10 years").removed == ()
    dry = _prune(tiered, keys, out, now=later, dry_run=True)
    assert len(dry.removed) == 2 and first.segment.exists() and dry.record is None
    pruned = _prune(tiered, keys, out, now=later)
    assert [s.name for s in pruned.removed] == [first.segment.name, second.segment.name]
    assert not first.segment.exists() and pruned.record and pruned.record.exists()
    checked = api.verify_archive(out, pubkey=keys[1])
    assert checked.ok, checked.problems
    assert checked.pruned_blocks == second.blocks[1] and checked.blocks == 0  # type: ignore[index]
    assert checked.prunes[0]["segments"][0]["name"] == first.segment.name
    listed = run("verify", "--archive", str(out), "--pubkey", str(keys[1]))
    assert listed.exit_code == 0 and "pruned from the archive on " in listed.output
    assert _prune(tiered, keys, out, now=later).removed == ()  # nothing left to prune
    # archiving goes on after a prune, and the chain still links across it
    tiered.sql(
        "insert into customers (id, email) values (901, 'y@example.org')", role=tiered.roles.app
    )
    seal_all(tiered)
    assert _archive(tiered, keys, out).ok
    assert api.verify_archive(out, pubkey=keys[1]).ok


def test_a_segment_gone_without_a_valid_prune_record_is_found(
    tiered: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "archive"
    seal_all(tiered)
    written = _archive(tiered, keys, out)
    later = datetime(datetime.now(UTC).year + 3, 1, 1, tzinfo=UTC)
    pruned = _prune(tiered, keys, out, now=later)
    assert pruned.record is not None and written.segment is not None
    record = pruned.record
    document = json.loads(record.read_text())
    # a record edited by someone without the key
    edited = {**document, "note": document["note"].replace("older-than", "older-thaN")}
    record.write_text(json.dumps(edited))
    kinds = {p.kind for p in api.verify_archive(out, pubkey=keys[1]).problems}
    assert kinds == {"manifest_forged", "archive_file_missing", "block_missing"}
    # a record signed by the key holder for a file its manifest did not sign
    segment = pruned.removed[0]
    forged = archive.PruneRecord(record, document["origin"], 1, "1 year", (
        archive.PrunedSegment(segment.sequence, segment.name, "0" * 64, segment.size,
                              segment.first_block, segment.last_block, segment.manifest_sha256),
    ), "2030-01-01T00:00:00Z")  # fmt: skip
    body = archive.prune_body(forged.origin, 1, "1 year", forged.segments, forged.time)
    private_key = digest.load_private_key(keys[0])
    archive.write_signed(
        record, archive.prune_document(forged, digest.sign_note(body, private_key))
    )
    problems = api.verify_archive(out, pubkey=keys[1]).problems
    assert {p.kind for p in problems} == {
        "manifest_forged",
        "archive_file_missing",
        "block_missing",
    }
    assert any("as no manifest signed it" in p.detail for p in problems)
    # the record removed: the segment is simply missing
    record.unlink()
    assert {p.kind for p in api.verify_archive(out, pubkey=keys[1]).problems} == {
        "archive_file_missing",
        "block_missing",
    }


def test_a_prune_record_of_another_folder_excuses_nothing(
    tiered: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    seal_all(tiered)
    first, second = tmp_path / "a", tmp_path / "b"
    kept = _archive(tiered, keys, first)
    time.sleep(1.1)  # manifests sign their time: the two folders' manifests differ
    _archive(tiered, keys, second)
    later = datetime(datetime.now(UTC).year + 3, 1, 1, tzinfo=UTC)
    pruned = _prune(tiered, keys, second, now=later)
    assert pruned.record is not None and kept.segment is not None
    (first / pruned.record.name).write_bytes(pruned.record.read_bytes())
    kept.segment.unlink()
    problems = api.verify_archive(first, pubkey=keys[1]).problems
    assert {p.kind for p in problems} == {
        "manifest_forged",
        "archive_file_missing",
        "block_missing",
    }


def test_bad_input_to_prune(tiered: AuditEnv, keys: tuple[Path, Path], tmp_path: Path) -> None:
    base = ["--dsn", tiered.auditor_dsn, "--config", str(tiered.config_path), "archive"]
    signing = ["--signing-key", str(keys[0])]
    bad = run(*base, "prune", *signing, "--out", str(tmp_path), "--older-than", "a while")
    assert bad.exit_code == 2 and "'a while' is not a period" in bad.stderr
    missing = run(*base, "prune", *signing, "--out", str(tmp_path / "nowhere"))
    assert missing.exit_code == 2 and "archive folder not found" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    bare = run(*base)
    assert bare.exit_code == 2 and "archive needs --signing-key and --out" in bare.stderr
    out = tmp_path / "archive"
    seal_all(tiered)
    _archive(tiered, keys, out)
    tiered.sql("update audit.settings set chain_id = gen_random_uuid()")
    with pytest.raises(InputError, match="this schema holds chain"):
        _prune(tiered, keys, out, now=datetime.now(UTC))
