"""Archives: segments and signed manifests written from a verified trail, checked offline.

Every attack on the files is made as someone who holds the folder (a WORM bucket's writer before
the lock, or a SIEM operator) but not the signing key; every attack on the database as its
superuser. verify --archive runs with no database at all.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pgaudit_kit import api
from pgaudit_kit.archive import ArchiveResult
from pgaudit_kit.errors import InputError
from tests.cli.helpers import run
from tests.fixtures.db import AuditEnv

from .helpers import audited_customers, seal_all
from .test_retention import _install, backdate


def _write(env: AuditEnv, first: int, count: int) -> None:
    env.sql(
        "insert into customers select g, 'u' || g || '@example.org', '4111111111111111', 'pw',"
        " 'new', 'x' from generate_series(%s::int, %s::int) g",
        [first, first + count - 1],
        role=env.roles.app,
    )
    env.sql(f"update customers set status = 'gold' where id = {first}", role=env.roles.app)
    seal_all(env)


@pytest.fixture
def sealed(env: AuditEnv) -> AuditEnv:
    audited_customers(env)
    _write(env, 1, 40)
    return env


def _archive(env: AuditEnv, keys: tuple[Path, Path], out: Path) -> ArchiveResult:
    return api.archive(env.config_path, env.auditor_dsn, signing_key=keys[0], out_dir=out)


def _kinds(out: Path, keys: tuple[Path, Path]) -> set[str]:
    return {p.kind for p in api.verify_archive(out, pubkey=keys[1]).problems}


def test_an_archive_round_trip_in_two_runs(
    sealed: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "archive"
    (sealed_rows,) = sealed.sql("select count(*) from audit.log_rows")[0]
    first = _archive(sealed, keys, out)
    assert first.ok and first.rows == sealed_rows
    # an auditor's archive is written, not recorded: only admins vouch for archives
    assert first.archive_id is None and sealed.log("ARCHIVE") == []
    _write(sealed, 100, 25)
    second = _archive(sealed, keys, out)
    assert second.ok and second.blocks and first.blocks
    assert second.blocks[0] == first.blocks[1] + 1
    assert _archive(sealed, keys, out).blocks is None  # nothing new
    result = api.verify_archive(out, pubkey=keys[1])
    assert result.ok, result.problems
    assert (result.manifests, result.files) == (2, 2)
    assert result.rows == first.rows + second.rows
    (head,) = sealed.sql("select max(block_no) from audit.blocks")[0]
    assert result.head_block == head and result.blocks == head


def test_rows_hold_values_as_stored_and_never_plaintext_pii(
    sealed: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "archive"
    result = _archive(sealed, keys, out)
    assert result.segment is not None
    text = result.segment.read_text()
    assert "@example.org" not in text and "4111111111111111" not in text
    rows = [json.loads(line)["row"] for line in text.splitlines() if '"row"' in line[:8]]
    update = next(r for r in rows if r["op"] == "UPDATE")
    assert json.loads(update["new_values"]) == {"status": "gold"}
    stored = sealed.sql("select new_values::text from audit.log_rows where id = %s", [update["id"]])
    assert stored == [(update["new_values"],)]


def test_a_redacted_row_still_verifies_in_the_archive(
    sealed: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    (row_id,) = sealed.sql("select max(id) from audit.log_rows where op = 'UPDATE'")[0]
    api.redact(sealed.config_path, sealed.dsn, row_id, "erasure order 12")
    seal_all(sealed)
    out = tmp_path / "archive"
    assert _archive(sealed, keys, out).ok
    assert api.verify_archive(out, pubkey=keys[1]).ok
    segment = next(out.glob("segment-*.jsonl")).read_text()
    assert '"sealed_payload_sha256"' in segment


def _segment(out: Path) -> Path:
    return next(out.glob("segment-*.jsonl"))


def test_a_flipped_byte_in_a_segment_is_found(
    sealed: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "archive"
    _archive(sealed, keys, out)
    segment = _segment(out)
    data = bytearray(segment.read_bytes())
    at = data.index(b'"status\\": \\"gold\\"') + len(b'"status\\": \\"')
    data[at] = ord("G")
    segment.write_bytes(bytes(data))
    assert _kinds(out, keys) == {"archive_file_altered", "archive_block_altered"}
    result = run("verify", "--archive", str(out), "--pubkey", str(keys[1]))
    assert result.exit_code == 1 and "TAMPERED" in result.output
    assert "archive_block_altered: block " in result.output


def test_a_removed_or_unlisted_file_is_found(
    sealed: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "archive"
    _archive(sealed, keys, out)
    segment = _segment(out)
    moved = segment.rename(tmp_path / segment.name)
    assert _kinds(out, keys) == {"archive_file_missing", "block_missing"}
    moved.rename(segment)
    (out / segment.name.replace("000001", "000009")).write_text("{}\n")
    assert _kinds(out, keys) == {"archive_file_unlisted"}


def test_forged_removed_and_foreign_manifests_are_found(
    sealed: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "archive"
    _archive(sealed, keys, out)
    _write(sealed, 200, 5)
    _archive(sealed, keys, out)
    first, second = sorted(out.glob("manifest-*.json"))
    document = json.loads(second.read_text())
    original = second.read_text()
    # a note rewritten to name a doctored file: the signature no longer verifies
    document["note"] = document["note"].replace("rows ", "rows 1", 1)
    second.write_text(json.dumps(document))
    assert _kinds(out, keys) == {"manifest_forged", "archive_file_unlisted"}
    second.write_text(original)
    # a manifest signed with another key
    other = api.keygen(tmp_path / "other")
    assert {"manifest_forged"} <= _kinds(out, (other.private_key, other.public_key))
    # the first manifest removed: the sequence and the chain from block 1 both show it
    first.unlink()
    assert _kinds(out, keys) == {"manifest_missing", "archive_file_unlisted", "block_missing"}


def test_archive_refuses_a_tampered_trail_and_writes_nothing(
    sealed: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    sealed.sql("update audit.log_rows set op = 'DELETE' where op = 'UPDATE'")
    out = tmp_path / "archive"
    result = _archive(sealed, keys, out)
    assert not result.ok and result.problems[0].kind == "block_edited"
    assert not list(out.glob("*"))
    cli = run(
        "--dsn", sealed.auditor_dsn, "--config", str(sealed.config_path),
        "archive", "--signing-key", str(keys[0]), "--out", str(out),
    )  # fmt: skip
    assert cli.exit_code == 1 and "NOT ARCHIVED" in cli.output


def test_archive_refuses_an_edited_header_of_a_block_it_would_write(
    sealed: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "archive"
    _archive(sealed, keys, out)
    _write(sealed, 400, 3)
    (block,) = sealed.sql("select max(block_no) from audit.blocks")[0]
    sealed.sql("update audit.blocks set row_count = row_count + 1 where block_no = %s", [block])
    result = _archive(sealed, keys, out)
    assert not result.ok and ("block_edited", block) in {(p.kind, p.block) for p in result.problems}
    assert len(list(out.glob("manifest-*.json"))) == 1


def test_a_primary_rewritten_and_resealed_after_archiving_is_refused(
    sealed: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "archive"
    _archive(sealed, keys, out)
    # the superuser rewrites history and reseals it all: the chain verifies on its own
    sealed.sql("delete from audit.block_leaves; delete from audit.blocks")
    sealed.sql("delete from audit.log_rows where op = 'UPDATE'")
    _write(sealed, 300, 3)
    assert api.verify(sealed.config_path, sealed.dsn).ok
    result = _archive(sealed, keys, out)
    # (resealed into fewer blocks, the archived head is gone; else it differs)
    assert not result.ok and [p.kind for p in result.problems] in (
        ["chain_rewritten"],
        ["tail_cut"],
    )
    # and a chain cut below the archived head
    sealed.sql("delete from audit.block_leaves; delete from audit.blocks")
    result = _archive(sealed, keys, out)
    assert [p.kind for p in result.problems] == ["tail_cut"]


def test_bad_input_to_archive_and_verify_archive(
    sealed: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="archive folder not found"):
        api.verify_archive(tmp_path / "nowhere", pubkey=keys[1])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no archive manifest in folder"):
        api.verify_archive(tmp_path / "empty", pubkey=keys[1])
    out = tmp_path / "archive"
    _archive(sealed, keys, out)
    next(out.glob("manifest-*.json")).write_text("not json")
    with pytest.raises(InputError, match=r"the archive folder does not verify \(manifest_forged"):
        _archive(sealed, keys, out)
    usage = run("verify", "--archive", str(out))
    assert usage.exit_code == 2 and "--archive takes --pubkey" in usage.stderr


def test_blocks_purged_before_archiving_keep_their_headers_and_the_purge_is_listed(
    env: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    _install(env)
    backdate(env, "public.customers", "2020-01-15 00:00:00+00", rows=7)
    for _ in range(200):
        api.maintain(env.config_path, env.dsn)
        if env.sql("select count(*) from audit.log_rows where tx_time < '2021-01-01'") == [(0,)]:
            break
    seal_all(env)
    out = tmp_path / "archive"
    result = _archive(env, keys, out)
    (purged,) = env.sql("select block_no from audit.blocks where bucket_start < '2021-01-01'")[0]
    assert result.ok and result.headers_only == (purged,)
    checked = api.verify_archive(out, pubkey=keys[1])
    assert checked.ok and checked.headers_only == [purged]
    assert [p["rows"] for p in checked.purges] == [7]
    listed = run("verify", "--archive", str(out), "--pubkey", str(keys[1]))
    assert listed.exit_code == 0 and "purged from the database on 20" in listed.output


def test_archive_refuses_a_folder_of_another_chain(
    sealed: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "archive"
    _archive(sealed, keys, out)
    sealed.sql("update audit.settings set chain_id = gen_random_uuid()")
    with pytest.raises(InputError, match=r"the folder archives chain .*, this schema holds chain"):
        _archive(sealed, keys, out)
    assert len(list(out.glob("manifest-*.json"))) == 1
