"""The SQL that applies policies computes exactly what the Python twins compute, and keys behave."""

from __future__ import annotations

import hashlib

import psycopg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pgaudit_kit import policies
from tests.fixtures.db import AuditEnv

from .helpers import audited_customers, key_pads

# PostgreSQL text cannot hold NUL; everything else is fair game.
texts = st.text(
    alphabet=st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), max_size=80
)
emails = st.builds(lambda a, b: f"{a}@{b}", texts, texts)


def _sql_values(env: AuditEnv, query: str, values: list[str]) -> list[str]:
    with psycopg.connect(env.dsn) as conn:
        rows = conn.execute(query, [values]).fetchall()
    return [r[0] for r in rows]


@settings(
    max_examples=1, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(values=st.lists(st.one_of(texts, emails), min_size=200, max_size=200))
def test_sql_masks_equal_the_python_masks(env: AuditEnv, values: list[str]) -> None:
    if not env.sql("select to_regnamespace('audit')")[0][0]:
        audited_customers(env)
    values += [
        "alice@example.com",
        "a@b",
        "@",
        "x@y@z",
        "4111 1111 1111 1234",
        "ünï@cødé.org",
        "line\nbreak@x",
    ]
    for kind in policies.MASKS:
        got = _sql_values(
            env,
            f"select audit.mask_{kind}(v) from unnest(%s::text[]) with ordinality u(v, i) order by i",
            values,
        )
        assert got == [policies.apply_mask(kind, v) for v in values], kind


@settings(
    max_examples=1, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(values=st.lists(texts, min_size=200, max_size=200))
def test_sql_hmac_equals_python_hmac_for_a_known_key(env: AuditEnv, values: list[str]) -> None:
    if not env.sql("select to_regnamespace('audit')")[0][0]:
        audited_customers(env)
    key = bytes(range(1, 33))
    k_in, k_out = policies.pads(key)
    values += ["", "x" * 100_000, "ünïcødé ✓ 🚀"]
    with psycopg.connect(env.dsn) as conn:
        rows = conn.execute(
            "select audit.hmac_token(v, %s, %s) from unnest(%s::text[]) with ordinality u(v, i) order by i",
            [k_in, k_out, values],
        ).fetchall()
    assert [r[0] for r in rows] == [policies.hmac_token(key, v) for v in values]


def test_generated_keys_have_consistent_pads_and_hash_like_python(env: AuditEnv) -> None:
    audited_customers(env)
    key_id, k_in, k_out = key_pads(env)
    key_from_inner = bytes(b ^ 0x36 for b in k_in)
    assert key_from_inner == bytes(b ^ 0x5C for b in k_out)
    assert key_from_inner[32:] == bytes(32)  # a 32-byte key, zero-padded to the block
    env.sql(
        "insert into customers values (1, 'a@example.com', null, 'pw', 'new', null)",
        role=env.roles.app,
    )
    (row,) = env.log("INSERT")
    assert row["new_values"]["email"] == policies.hmac_token(key_from_inner[:32], "a@example.com")
    assert row["key_id"] == key_id


def test_equal_values_link_and_tokens_are_keyed(env: AuditEnv) -> None:
    audited_customers(env)
    env.sql(
        "insert into customers values (1, 'same@example.com', null, 'pw', 'new', null),"
        " (2, 'same@example.com', null, 'pw', 'new', null), (3, 'other@example.com', null, 'pw', 'new', null)",
        role=env.roles.app,
    )
    tokens = [r["new_values"]["email"] for r in env.log("INSERT")]
    assert tokens[0] == tokens[1] != tokens[2]
    assert tokens[0] != "hmac:" + hashlib.sha256(b"same@example.com").hexdigest()


def test_key_rotation_applies_to_new_rows_only(env: AuditEnv) -> None:
    from pgaudit_kit import api

    audited_customers(env)
    env.sql(
        "insert into customers values (1, 'a@example.com', null, 'pw', 'new', null)",
        role=env.roles.app,
    )
    result = api.rotate_key(env.config_path, env.dsn)
    env.sql(
        "insert into customers values (2, 'a@example.com', null, 'pw', 'new', null)",
        role=env.roles.app,
    )
    first, second = env.log("INSERT")
    assert (first["key_id"], second["key_id"]) == (1, result.key_id) == (1, 2)
    assert first["new_values"]["email"] != second["new_values"]["email"]
    _, k_in, k_out = key_pads(env, 1)
    assert first["new_values"]["email"] == policies.hmac_token_from_pads(
        k_in, k_out, "a@example.com"
    )
    keys = env.sql("select key_id, retired_at is not null from audit.keys order by key_id")
    assert keys == [(1, True), (2, False)]
    (event,) = [r for r in env.log("KEY") if r["new_values"]["key_id"] == 2]
    assert event["new_values"]["action"] == "rotate"


def test_no_plaintext_pii_anywhere_in_the_audit_schema(env: AuditEnv) -> None:
    """A realistic workload, then every row of every table in the audit schema, as text."""
    audited_customers(env)
    pii = {
        1: ("alice.liddell@example.com", "4111 1111 1111 1111", "white-rabbit-7"),
        2: ("bob.builder@example.org", "5500 0000 0000 0004", "can-we-fix-it!"),
        3: ("carol.danvers@example.net", "3400 0000 0000 009", "higher-further"),
    }
    with psycopg.connect(env.app_dsn) as conn:
        for id_, (email, card, password) in pii.items():
            conn.execute(
                "insert into customers values (%s, %s, %s, %s, 'new', null)",
                [id_, email, card, password],
            )
        conn.commit()
        conn.execute(
            "update customers set password = 'changed-' || password, email = upper(email) where id = 1"
        )
        conn.execute("update customers set card_number = '6011 0000 0000 0004' where id = 2")
        conn.execute("delete from customers where id = 3")
        conn.execute("truncate customers")
        conn.commit()
    with psycopg.connect(env.dsn) as conn:
        tables = conn.execute(
            "select format('%I.%I', n.nspname, c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = 'audit' and c.relkind in ('r', 'p') and not c.relispartition"
        ).fetchall()
        dump = "\n".join(
            str(row[0])
            for (table,) in tables
            for row in conn.execute(f"select t::text from {table} t")
        )
    assert "hmac:" in dump and "****-****-****-1111" in dump
    secrets = [s for values in pii.values() for s in values] + [
        pii[1][0].upper(),
        "6011 0000 0000 0004",
    ]
    secrets += [s.replace(" ", "") for s in secrets] + [
        "changed-white-rabbit-7",
        "alice.liddell",
        "bob.builder",
    ]
    assert [s for s in secrets if s in dump] == []
