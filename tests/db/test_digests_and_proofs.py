"""Signed digests and inclusion proofs: what they prove, and clear errors for bad input."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from pgaudit_kit import api
from pgaudit_kit.errors import InputError, NotInstalled
from tests.fixtures.db import AuditEnv

from .helpers import audited_customers, seal_all


@pytest.fixture
def sealed(env: AuditEnv) -> AuditEnv:
    audited_customers(env)
    env.sql(
        "insert into customers select g, 'u' || g || '@x.org', '4111111111111111', 'pw', 'new', 'x' from generate_series(1, 30) g",
        role=env.roles.app,
    )
    env.sql("update customers set status = 'gold' where id = 7", role=env.roles.app)
    seal_all(env)
    return env


def _update_row(env: AuditEnv) -> int:
    return int(env.sql("select id from audit.log_rows where op = 'UPDATE'")[0][0])


def test_keygen_writes_a_private_key_only_its_owner_can_read(tmp_path: Path) -> None:
    result = api.keygen(tmp_path / "keys")
    assert stat.S_IMODE(result.private_key.stat().st_mode) == 0o600
    assert result.public_key.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    with pytest.raises(InputError, match="a signing key already exists"):
        api.keygen(tmp_path / "keys")


def test_a_proof_checks_offline_against_a_digest(
    sealed: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    digest = api.digest(
        sealed.config_path, sealed.dsn, signing_key=keys[0], out_dir=tmp_path / "d"
    ).path
    row = _update_row(sealed)
    proof = api.prove(sealed.config_path, sealed.dsn, row, out=tmp_path / "row.proof.json")
    report = api.verify_proof(proof.path, digest_path=digest, pubkey=keys[1])
    assert report.check.ok, report.check.problems
    assert report.check.fields["op"] == "UPDATE" and report.check.fields["id"] == str(row)
    assert report.check.fields["new_values"] == '{"status": "gold"}'


def test_a_proof_up_to_an_older_digest(
    sealed: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    old = api.digest(
        sealed.config_path, sealed.dsn, signing_key=keys[0], out_dir=tmp_path / "d"
    ).path
    sealed.sql(
        "insert into customers values (100, 'z@x.org', null, 'pw', 'new', null)",
        role=sealed.roles.app,
    )
    seal_all(sealed)
    row = _update_row(sealed)
    proof = api.prove(
        sealed.config_path,
        sealed.dsn,
        row,
        out=tmp_path / "p.json",
        digest_path=old,
        pubkey=keys[1],
    )
    assert proof.blocks == 1
    assert api.verify_proof(proof.path, digest_path=old, pubkey=keys[1]).check.ok


def test_a_tampered_proof_fails_with_reasons(
    sealed: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    digest = api.digest(
        sealed.config_path, sealed.dsn, signing_key=keys[0], out_dir=tmp_path / "d"
    ).path
    proof = api.prove(
        sealed.config_path, sealed.dsn, _update_row(sealed), out=tmp_path / "p.json"
    ).path
    document = json.loads(proof.read_text())
    document["payload_line"] = document["payload_line"].replace("gold", "platinum")
    proof.write_text(json.dumps(document))
    report = api.verify_proof(proof, digest_path=digest, pubkey=keys[1])
    assert not report.check.ok
    assert report.check.problems == (
        "the row's values do not match its payload hash",
        f"the row is not in block {report.check.block_no}: its path leads to another root",
    )


def test_a_digest_signed_by_another_key_is_an_input_error(
    sealed: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    digest = api.digest(
        sealed.config_path, sealed.dsn, signing_key=keys[0], out_dir=tmp_path / "d"
    ).path
    other = api.keygen(tmp_path / "other")
    with pytest.raises(InputError) as caught:
        api.verify(
            sealed.config_path, sealed.dsn, digests_dir=tmp_path / "d", pubkey=other.public_key
        )
    assert (
        str(caught.value)
        == f"{digest}: not signed by key {_name(other.public_key)} (pass the public key that matches the signing key)"
    )


def _name(public_key: Path) -> str:
    from pgaudit_kit import digest

    return digest.key_name(digest.load_public_key(public_key))


def test_an_altered_digest_is_an_input_error(
    sealed: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    digest = api.digest(
        sealed.config_path, sealed.dsn, signing_key=keys[0], out_dir=tmp_path / "d"
    ).path
    document = json.loads(digest.read_text())
    origin, size, *rest = document["checkpoint"].split("\n")
    document["checkpoint"] = "\n".join([origin, str(int(size) + 1), *rest])
    digest.write_text(json.dumps(document))
    with pytest.raises(InputError, match="the signature does not verify"):
        api.verify(sealed.config_path, sealed.dsn, digests_dir=tmp_path / "d", pubkey=keys[1])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not a pgaudit-kit digest"),
        ('{"format": "something else", "checkpoint": ""}', "not a pgaudit-kit digest"),
    ],
)
def test_a_malformed_digest_is_an_input_error(
    sealed: AuditEnv, keys: tuple[Path, Path], tmp_path: Path, content: str, message: str
) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.json").write_text(content)
    with pytest.raises(InputError, match=message):
        api.verify(sealed.config_path, sealed.dsn, digests_dir=tmp_path / "d", pubkey=keys[1])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not a pgaudit-kit proof \\(not JSON\\)"),
        ('{"format": "pgaudit-kit proof v1"}', "missing or bad 'origin'"),
        (
            '{"format": "v0", "origin": "o", "row_id": 1, "leaf_line": "", "payload_line": "", "leaf_index": 0, "tree_size": 1, "path": [], "blocks": []}',
            "unsupported proof format 'v0'",
        ),
        (
            '{"format": "pgaudit-kit proof v1", "origin": "o", "row_id": 1, "leaf_line": "", "payload_line": "", "leaf_index": 0, "tree_size": 1, "path": ["zz"], "blocks": []}',
            "missing or bad 'path'",
        ),
    ],
)
def test_a_malformed_proof_is_an_input_error(
    sealed: AuditEnv, keys: tuple[Path, Path], tmp_path: Path, content: str, message: str
) -> None:
    digest = api.digest(
        sealed.config_path, sealed.dsn, signing_key=keys[0], out_dir=tmp_path / "d"
    ).path
    (tmp_path / "p.json").write_text(content)
    with pytest.raises(InputError, match=message):
        api.verify_proof(tmp_path / "p.json", digest_path=digest, pubkey=keys[1])


def test_proving_an_unsealed_or_missing_row_explains_why(sealed: AuditEnv, tmp_path: Path) -> None:
    sealed.sql(
        "insert into customers values (200, 'new@x.org', null, 'pw', 'new', null)",
        role=sealed.roles.app,
    )
    unsealed = int(sealed.sql("select max(id) from audit.log_rows")[0][0])
    with pytest.raises(NotInstalled, match=f"audit row {unsealed} is not sealed yet"):
        api.prove(sealed.config_path, sealed.dsn, unsealed, out=tmp_path / "p.json")
    with pytest.raises(NotInstalled, match="there is no audit row 999999"):
        api.prove(sealed.config_path, sealed.dsn, 999999, out=tmp_path / "p.json")


def test_a_digest_needs_something_sealed(
    env: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    audited_customers(env)
    with pytest.raises(NotInstalled, match="nothing is sealed yet"):
        api.digest(env.config_path, env.dsn, signing_key=keys[0], out_dir=tmp_path / "d")


def test_digests_of_another_schema_are_refused(
    sealed: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    digest = api.digest(
        sealed.config_path, sealed.dsn, signing_key=keys[0], out_dir=tmp_path / "d"
    ).path
    second = sealed.tmp / "second.toml"
    second.write_text(f'[audit]\nschema = "audit2"\nowner_role = "{sealed.roles.owner}_2"\n')
    api.apply(second, sealed.dsn)
    try:
        api.seal(second, sealed.dsn)
        with pytest.raises(InputError) as caught:
            api.verify(second, sealed.dsn, digests_dir=tmp_path / "d", pubkey=keys[1])
        assert str(caught.value).startswith(f"{digest}: digest is for pgaudit-kit/")
        assert str(caught.value).endswith("/audit2 (pass the digests of this chain and schema)")
    finally:
        api.uninstall(second, sealed.dsn, drop_data=True)


def test_status_shows_seal_lag_and_who_holds_the_horizon(sealed: AuditEnv) -> None:
    import psycopg

    with psycopg.connect(sealed.app_dsn) as holder:
        holder.execute("insert into customers values (300, 'open@x.org', null, 'pw', 'new', null)")
        sealed.sql(
            "insert into customers values (301, 'later@x.org', null, 'pw', 'new', null)",
            role=sealed.roles.app,
        )
        result = api.seal(sealed.config_path, sealed.dsn)
        # the open transaction holds the horizon: nothing written after it is sealed
        assert result.rows_sealed == 0
        lag = api.status(sealed.config_path, sealed.dsn).seal
        assert lag is not None and lag.unsealed_rows >= 1
        # on a shared server other sessions may hold it too; ours must be named
        mine = [h for h in lag.holders if h.role == sealed.roles.app]
        assert mine and mine[0].state == "idle in transaction"
        holder.commit()
    seal_all(sealed)
    lag = api.status(sealed.config_path, sealed.dsn).seal
    assert lag is not None and lag.unsealed_rows == 0
    assert api.verify(sealed.config_path, sealed.dsn).ok


def test_a_copy_restored_under_another_name_verifies_against_its_digests(
    sealed: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    """A chain is its chain id and schema: the database name a digest was signed in is shown,
    not required."""
    import psycopg
    from psycopg import sql

    api.digest(sealed.config_path, sealed.dsn, signing_key=keys[0], out_dir=tmp_path / "d")
    row_id = _update_row(sealed)
    api.prove(sealed.config_path, sealed.dsn, row_id, out=tmp_path / "p.json")
    source = psycopg.conninfo.conninfo_to_dict(sealed.dsn)["dbname"]
    copy = f"{source}_restored"
    with psycopg.connect(sealed.server.admin_dsn, autocommit=True) as admin:
        admin.execute(
            sql.SQL("create database {} template {}").format(
                sql.Identifier(copy), sql.Identifier(str(source))
            )
        )
    try:
        restored = psycopg.conninfo.make_conninfo(sealed.dsn, dbname=copy)
        report = api.verify(
            sealed.config_path, restored, digests_dir=tmp_path / "d", pubkey=keys[1]
        )
        assert report.ok and report.digests_checked == 1, report.problems
        api.digest(sealed.config_path, restored, signing_key=keys[0], out_dir=tmp_path / "d2")
        (signed,) = (tmp_path / "d2").glob("*.json")
        assert api.verify_proof(tmp_path / "p.json", digest_path=signed, pubkey=keys[1]).ok
    finally:
        with psycopg.connect(sealed.server.admin_dsn, autocommit=True) as admin:
            admin.execute(
                sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(copy))
            )
