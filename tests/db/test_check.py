"""check: each kind of finding, provoked on a real database, and a clean database passing."""

from __future__ import annotations

from pgaudit_kit import api
from pgaudit_kit.check import Finding
from pgaudit_kit.toolkit_schema import event_trigger_name
from tests.fixtures.db import AuditEnv

from .helpers import CUSTOMERS_TOML, audited_customers

REQUIRE = 'require = ["public.*"]'


def _findings(env: AuditEnv) -> list[Finding]:
    return list(api.check(env.config_path, env.dsn).findings)


def _kinds(env: AuditEnv) -> list[tuple[str, str]]:
    return [(f.check, f.subject) for f in _findings(env)]


def _as_owner_of_the_trail(env: AuditEnv, statement: str) -> None:
    """Change the audit schema as pgaudit-kit itself would: inside a maintenance window."""
    env.script(f"select audit.begin_maintenance('test'); {statement}")


def test_a_database_that_matches_a_complete_config_is_clean(env: AuditEnv) -> None:
    audited_customers(env, audit=REQUIRE)
    result = api.check(env.config_path, env.dsn)
    assert result.ok and result.findings == () and result.tables_audited == 1


def test_unclassified_columns(env: AuditEnv) -> None:
    audited_customers(env)
    env.sql("alter table customers add column loyalty_tier text", role=env.roles.app)
    env.apply()
    (finding,) = _findings(env)
    assert finding.check == "unclassified"
    assert finding.subject == "public.customers.loyalty_tier"
    assert "stored as hash" in finding.message
    assert '[tables."public.customers"]' in finding.message


def test_a_column_comment_classifies_a_column_more_strictly(env: AuditEnv) -> None:
    audited_customers(env)
    env.script(
        "alter table customers add column loyalty_tier text;"
        " comment on column customers.loyalty_tier is 'pgaudit:omit';",
        role=env.roles.app,
    )
    env.apply()
    assert _findings(env) == []


def test_a_comment_that_would_loosen_a_column_is_a_finding(env: AuditEnv) -> None:
    audited_customers(env)
    env.script(
        "alter table customers add column loyalty_tier text;"
        " comment on column customers.loyalty_tier is 'pgaudit:plain';",
        role=env.roles.app,
    )
    env.apply()
    assert {(f.check, f.subject) for f in _findings(env)} == {
        ("unclassified", "public.customers.loyalty_tier"),
        ("comment-loosens", "public.customers.loyalty_tier"),
    }


def test_plain_columns_that_look_personal(env: AuditEnv) -> None:
    env.script(
        "create table public.people (id int primary key, phone_number text, origin inet,"
        " product_name text, name text, notes text)"
    )
    env.write_config(
        '[tables."public.people"]\n'
        'columns = { id = "plain", phone_number = "plain", origin = "plain",'
        ' product_name = "plain", name = "plain", notes = "plain" }\n'
    )
    env.apply()
    found = {f.subject: f for f in _findings(env)}
    assert sorted(found) == [
        "public.people.name",
        "public.people.notes",
        "public.people.origin",
        "public.people.phone_number",
    ]
    assert all(f.check == "pii-plain" for f in found.values())
    assert "inet" in found["public.people.origin"].message
    assert found["public.people.notes"].message.startswith(
        "stored in plain text, but free text may hold personal data (name notes); "
    )
    env.write_config(
        '[tables."public.people"]\n'
        'columns = { id = "plain", phone_number = "hash", origin = "mask:last4",'
        ' product_name = "plain", name = "hash", notes = "plain" }\nnot_pii = ["notes"]\n'
    )
    env.apply()
    assert _findings(env) == []


def test_integer_and_uuid_keys_are_never_flagged(env: AuditEnv) -> None:
    env.script(
        "create table public.address (address_id int primary key, city text);"
        " create table public.customer (customer_id int primary key,"
        " address_id int references public.address, phone_id uuid, email_id bigint)"
    )
    env.write_config(
        '[tables."public.customer"]\n'
        'columns = { customer_id = "plain", address_id = "plain", phone_id = "plain",'
        ' email_id = "plain" }\n'
    )
    env.apply()
    assert _findings(env) == []


def test_tables_that_must_be_audited(env: AuditEnv) -> None:
    env.script(
        "create schema ops; create table public.orders (id int primary key);"
        " create table ops.jobs (id int); create table public.stats (v text)"
    )
    audited_customers(env, audit=REQUIRE)
    assert _kinds(env) == [
        ("not-audited", "public.orders"),
        ("not-audited", "public.stats"),
    ]
    env.write_config(CUSTOMERS_TOML, audit=REQUIRE + '\nexempt = ["public.stat*"]')
    assert _kinds(env) == [("not-audited", "public.orders")]


def test_migration_tools_tables_are_never_required(env: AuditEnv) -> None:
    env.script(
        "create table public.alembic_version (version_num varchar(32) primary key);"
        " create table public.django_migrations (id int primary key, app text);"
        ' create table public."__EFMigrationsHistory" ("MigrationId" text primary key);'
        " create table public.knex_migrations_lock (index int primary key)"
    )
    audited_customers(env, audit=REQUIRE)
    assert _kinds(env) == []


def test_capture_that_differs_from_the_config(env: AuditEnv) -> None:
    audited_customers(env)
    env.write_config(CUSTOMERS_TOML.replace('status = "plain"', 'status = "hash"'))
    ((kind, subject),) = _kinds(env)
    assert (kind, subject) == ("capture", "public.customers")
    env.apply()
    env.write_config(CUSTOMERS_TOML, audit="update_images = 'full'")
    assert _kinds(env) == [("capture", "public.customers")]
    env.apply()
    env.write_config("")
    (finding,) = _findings(env)
    assert finding.subject == "public.customers" and "no longer in pgaudit.toml" in finding.message


def test_drift_and_the_config_entries_it_leaves_stale(env: AuditEnv) -> None:
    audited_customers(env)
    env.sql("alter table customers rename column note to remark", role=env.roles.app)
    config, unclassified, drift = _findings(env)
    assert (config.check, config.subject) == ("config", f"{env.config_path}:9")
    assert config.message.startswith("column 'note' does not exist in public.customers")
    assert (unclassified.check, unclassified.subject) == ("unclassified", "public.customers.remark")
    assert (drift.check, drift.subject) == ("drift", "public.customers")
    assert "renamed note to remark" in drift.message


def test_disabled_and_missing_triggers(env: AuditEnv) -> None:
    audited_customers(env)
    _as_owner_of_the_trail(env, "alter table public.customers disable trigger pgaudit_update")
    assert ("trigger", "public.customers") in _kinds(env)
    (finding,) = [f for f in _findings(env) if f.check == "trigger"]
    assert "pgaudit_update" in finding.message and "disabled" in finding.message


def test_grants_that_differ_from_the_model(env: AuditEnv) -> None:
    audited_customers(env)
    _as_owner_of_the_trail(
        env,
        f"grant insert on audit.log_rows to {env.roles.app};"
        " grant usage on schema audit to public;"
        f" revoke select on audit.blocks from {env.roles.auditor};",
    )
    messages = {(f.subject, f.message.split(",")[0]) for f in _findings(env) if f.check == "grants"}
    assert messages == {
        (env.roles.app, "holds INSERT on table audit.log_rows"),
        ("PUBLIC", "holds USAGE on schema audit"),
        (env.roles.auditor, "lacks SELECT on table audit.blocks; run pgaudit-kit apply"),
    }
    assert any("write right" in f.message for f in _findings(env) if f.subject == env.roles.app)
    env.apply()
    assert _findings(env) == []


def test_roles_that_could_write_the_trail(env: AuditEnv) -> None:
    audited_customers(env)
    env.sql(f"grant {env.roles.owner} to {env.roles.app}")
    ((kind, _),) = _kinds(env)
    assert kind == "roles"
    assert f"REVOKE {env.roles.owner} FROM {env.roles.app}" in _findings(env)[0].message


def test_guard_and_toolkit_revision(env: AuditEnv) -> None:
    audited_customers(env)
    name = event_trigger_name("audit", "ddl")
    env.sql(f"alter event trigger {name} disable")
    assert _kinds(env) == [("guard", name)]
    assert "the guard's ddl_command_end event trigger is disabled" in _findings(env)[0].message


def test_before_install_the_design_is_still_checked(env: AuditEnv) -> None:
    env.script("create table public.orders (id int primary key, email text)")
    env.write_config('[tables."public.orders"]\ncolumns = { id = "plain" }\n', audit=REQUIRE)
    assert _kinds(env) == [
        ("unclassified", "public.orders.email"),
        ("install", "audit"),
    ]


def test_columns_without_a_level_where_a_framework_is_on(env: AuditEnv) -> None:
    audited_customers(env)
    env.write_config(
        CUSTOMERS_TOML.replace(
            'not_pii = ["note"]',
            'not_pii = ["note"]\nlevels = { email = "confidential", card_number = "confidential", '
            'password = "restricted", status = "internal", note = "internal" }',
        )
        + '\n[compliance]\nframeworks = ["pci-dss-4", "gdpr"]\n'
        + '[retention]\ndefault = "1 year"\n'
    )
    (finding,) = _findings(env)
    assert (finding.check, finding.subject) == ("no-level", "public.customers.id")
    assert "kept under pci-dss-4, gdpr but has no classification level" in finding.message
    env.write_config(
        CUSTOMERS_TOML.replace(
            'not_pii = ["note"]', 'not_pii = ["note"]\nlevel = "internal"'
        ).replace('email = "hash"', 'email = "omit"')
        + '\n[compliance]\nframeworks = ["gdpr"]\n'
    )
    assert [f.check for f in _findings(env)] == ["capture"]  # leveled; omit is not applied yet
    # a table out of every framework's scope needs no level
    env.write_config(
        CUSTOMERS_TOML.replace('not_pii = ["note"]', 'not_pii = ["note"]\nframeworks = []')
        + '\n[compliance]\nframeworks = ["gdpr"]\n'
    )
    assert _findings(env) == []
