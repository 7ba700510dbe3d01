from __future__ import annotations

from pathlib import Path

import pytest

from pgaudit_kit import config
from pgaudit_kit.errors import ConfigError
from pgaudit_kit.identifiers import QualifiedName
from pgaudit_kit.policies import Policy

EXAMPLE = """\
[audit]
schema = "audit"                # where all audit objects live
app_roles = ["app"]             # roles whose writes are audited
auditor_roles = ["auditor"]     # read-only access to the trail
default_policy = "hash"         # for columns the config does not list
skip_unchanged_updates = true

[tables."public.customers"]     # quoted identifiers allowed: '"Sales Co"."Order Lines"'
columns = { email = "hash", card_number = "mask:card", password = "omit", status = "plain" }

[tables.'"Sales Co"."Order Lines"']
columns = { "Line No" = "plain" }
key = ["Line No"]
"""


def test_loads_the_documented_example() -> None:
    loaded = config.loads(EXAMPLE)
    assert loaded.schema == "audit"
    assert loaded.owner_role == "audit_owner"
    assert loaded.app_roles == ("app",)
    assert loaded.auditor_roles == ("auditor",)
    assert loaded.default_policy == Policy("hash")
    customers, lines = loaded.tables
    assert customers.name == QualifiedName("public", "customers")
    assert customers.columns["card_number"] == Policy("mask:card")
    assert customers.line == 8
    assert lines.name == QualifiedName("Sales Co", "Order Lines")
    assert lines.key == ("Line No",)


def test_load_reads_the_file_and_reports_a_missing_one(tmp_path: Path) -> None:
    path = tmp_path / "pgaudit.toml"
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    assert (
        str(caught.value)
        == f"{path}: config file not found (create it with 'pgaudit-kit init' or pass --config PATH)"
    )
    path.write_text(EXAMPLE)
    assert config.load(path).path == path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[tables."public.customers"]\ncolumns = { email = "hsh" }\n',
            "pgaudit.toml:2: unknown policy 'hsh' for public.customers.email "
            "(use plain, hash, omit, mask:email, mask:card, mask:last4)",
        ),
        (
            '[audit]\nschemaa = "x"\n',
            "pgaudit.toml:2: unknown key 'schemaa' in [audit] (known keys: schema, owner_role, "
            "app_roles, auditor_roles, default_policy, skip_unchanged_updates, update_images, "
            "admin_roles, investigator_roles, partition_interval, premake, require, exempt)",
        ),
        (
            '[audit]\ndefault_policy = "plain"\n',
            "pgaudit.toml:2: default_policy 'plain' is not allowed "
            "(unclassified columns must never leak: use hash or omit)",
        ),
        (
            '[tables."customers"]\n',
            "pgaudit.toml:1: table name 'customers' must be schema-qualified "
            "(write public.customers (or the schema it lives in))",
        ),
        (
            '\n\n[tables."public.a.b"]\n',
            "pgaudit.toml:3: 'public.a.b' is not a table name "
            '(write schema.table; quote names with capitals or spaces, e.g. \'"Sales Co"."Order Lines"\')',
        ),
        (
            '[audit]\napp_roles = ["a"]\nauditor_roles = ["a"]\n',
            "pgaudit.toml:3: role 'a' is both an app role and an auditor role "
            "(an app role must never read or write the trail; use separate roles)",
        ),
        (
            '[audit]\napp_roles = "app"\n',
            'pgaudit.toml:2: app_roles must be a list of role names (e.g. app_roles = ["app"])',
        ),
        (
            '[tables."public.x"]\ncols = 1\n',
            "pgaudit.toml:2: unknown key 'cols' for table public.x (known keys: columns, frameworks, "
            "key, level, levels, not_pii, retention, truncate)",
        ),
        (
            '[tables."public.x"]\nkey = []\n',
            "pgaudit.toml:2: key of public.x must be a non-empty list of column names "
            '(e.g. key = ["order_no"])',
        ),
        (
            '[audit]\nrequire = ["public"]\n',
            "pgaudit.toml:2: require pattern 'public' does not name schema.table "
            '(write schema.table with * and ? as wildcards, e.g. "public.*")',
        ),
        (
            '[audit]\nexempt = "public.x"\n',
            "pgaudit.toml:2: exempt must be a list of schema.table patterns "
            '(e.g. exempt = ["public.*"])',
        ),
        (
            '[tables."public.x"]\ncolumns = { email = "hash" }\nnot_pii = ["email"]\n',
            "pgaudit.toml:3: public.x.email is listed in not_pii but its policy is hash "
            "(not_pii only silences check for plain columns; remove it from one list)",
        ),
        (
            "[audit]\nschema = 12\n",
            "pgaudit.toml:2: schema must be a string",
        ),
        (
            '[audit]\nupdate_images = "some"\n',
            "pgaudit.toml:2: update_images 'some' is not allowed (use changed or full)",
        ),
        (
            "[auditt]\n",
            "pgaudit.toml:1: unknown section [auditt] "
            '(the sections are [audit], [retention], [compliance], [alerts] and [tables."schema.table"])',
        ),
        (
            '[retention]\npci = { hot = "1 year", keep = "3 months" }\n',
            "pgaudit.toml:2: retention class 'pci' keeps its archive (3 mons) for less than its "
            "rows stay in the database (1 year) (keep counts from the row's time, as hot does: "
            "make keep at least hot)",
        ),
        (
            '[retention]\n\npci = { hot = "3 months" }\n',
            "pgaudit.toml:3: retention class 'pci' must give hot and keep (e.g. pci = "
            '{ hot = "3 months", keep = "1 year" }: rows stay 3 months in the database and '
            "1 year in the archive)",
        ),
        (
            '[retention]\npci = { hot = "3 months", keep = "1 year", cold = "2 years" }\n',
            "pgaudit.toml:2: retention class 'pci' must give hot and keep (unknown key 'cold') "
            '(e.g. pci = { hot = "3 months", keep = "1 year" }: rows stay 3 months in the '
            "database and 1 year in the archive)",
        ),
        (
            '[retention]\npci = { hot = "soon", keep = "1 year" }\n',
            "pgaudit.toml:2: retention period 'soon' of class 'pci' is not understood "
            '(write a count and a unit, e.g. "1 year", "6 years", "90 days")',
        ),
        (
            '[tables."public.c"]\ncolumns = { card = "mask:card" }\nlevels = { card = "restricted" }\n',
            "pgaudit.toml:2: public.c.card is restricted but its policy is mask:card (a restricted "
            "value leaves nothing readable in the trail: use hash or omit)",
        ),
        (
            '[tables."public.c"]\nlevel = "confidential"\n\ncolumns = { name = "plain" }\n',
            "pgaudit.toml:4: public.c.name is confidential but its policy is plain (a confidential "
            "value is never stored plain: use hash, omit or a mask)",
        ),
        (
            '[tables."public.c"]\nlevel = "secret"\n',
            "pgaudit.toml:2: unknown level 'secret' for public.c "
            "(use public, internal, confidential, restricted)",
        ),
        (
            '[tables."public.c"]\nframeworks = ["pci-dss"]\n',
            "pgaudit.toml:2: unknown framework tag 'pci-dss' for public.c (use pci, hipaa, soc2, gdpr)",
        ),
        (
            '[compliance]\nframeworks = ["hipaa", "iso27001"]\n',
            "pgaudit.toml:2: unknown framework 'iso27001' (use pci-dss-4, hipaa, soc2, gdpr)",
        ),
        (
            '[compliance]\nframeworks = ["hipaa"]\n[retention]\ndefault = "2 years"\n',
            "pgaudit.toml:4: retention class 'default' is shorter than hipaa requires: it keeps "
            "rows 2 years in all (HIPAA 45 CFR 164.316(b)(2)(i) asks 6 years in all; lengthen "
            'the class (a tiered class says both: { hot = "3 months", keep = "1 year" }))',
        ),
        (
            '[retention]\npci = { hot = "1 month", keep = "1 year" }\n'
            '[tables."public.cards"]\nframeworks = ["pci"]\nretention = "pci"\n',
            "pgaudit.toml:2: retention class 'pci' is shorter than pci-dss-4 requires: it keeps "
            "rows 1 mon in the database (PCI DSS v4.0 10.5.1 asks 1 year in all, the latest "
            "3 mons in the database; lengthen the class (a tiered class says both: { hot = "
            '"3 months", keep = "1 year" }))',
        ),
        (
            '[compliance]\nframeworks = ["soc2"]\nsoc2_retention = "2 years"\n'
            '[retention]\ndefault = "18 months"\n',
            "pgaudit.toml:5: retention class 'default' is shorter than soc2 requires: it keeps "
            "rows 1 year 6 mons in all (SOC 2 retention policy asks 2 years in all; lengthen the "
            'class (a tiered class says both: { hot = "3 months", keep = "1 year" }))',
        ),
        (
            "[audit\nschema = 1",
            "pgaudit.toml:1: not valid TOML: Expected ']' at the end of a table declaration "
            "(fix the syntax; see the example in the README)",
        ),
    ],
)
def test_bad_config_errors_name_the_line_and_the_fix(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config.loads(text)
    assert str(caught.value) == expected


def test_the_line_is_found_in_sub_tables_too() -> None:
    text = '[audit]\n\n[tables.\'"Sales Co"."Order Lines"\'.columns]\n"Line No" = "plain"\nemail = "hsh"\n'
    with pytest.raises(ConfigError) as caught:
        config.loads(text)
    assert caught.value.line == 5


def test_owner_defaults_to_schema_owner_and_roles_are_deduplicated() -> None:
    loaded = config.loads('[audit]\nschema = "Trail"\napp_roles = ["App", "app"]\n')
    assert loaded.schema == "trail"
    assert loaded.owner_role == "trail_owner"
    assert loaded.app_roles == ("app",)


def test_require_exempt_and_not_pii() -> None:
    loaded = config.loads(
        '[audit]\nrequire = ["public.*", "billing.invoices"]\nexempt = ["public.alembic_version"]\n'
        '[tables."public.products"]\ncolumns = { product_name = "plain" }\n'
        'not_pii = ["product_name"]\n'
    )
    assert loaded.require == ("public.*", "billing.invoices")
    assert loaded.exempt == ("public.alembic_version",)
    assert loaded.tables[0].not_pii == frozenset({"product_name"})


def test_a_tiered_class_keeps_rows_hot_in_the_database_and_longer_in_archives() -> None:
    loaded = config.loads(
        '[retention]\npci = { hot = "90 days", keep = "12 months" }\nx = "1 year"\n'
    )
    assert loaded.retention == {"pci": "90 days", "x": "1 year"}
    assert loaded.archive_retention == {"pci": "1 year"}
    assert config.parse_period(" 2 weeks ") == "14 days"
    with pytest.raises(ValueError, match="is not a period"):
        config.parse_period("forever")


def test_frameworks_scope_tables_and_their_minimums_hold() -> None:
    loaded = config.loads(
        '[compliance]\nframeworks = ["pci-dss-4", "gdpr"]\n'
        '[retention]\npci = { hot = "3 months", keep = "1 year" }\nshort = "30 days"\n'
        '[tables."public.cards"]\nretention = "pci"\nlevel = "confidential"\n'
        'columns = { pan = "mask:card", note = "hash" }\nlevels = { pan = "confidential" }\n'
        '[tables."public.logs"]\nframeworks = []\nretention = "short"\n'
    )
    cards, logs = loaded.tables
    assert loaded.frameworks_of(cards) == ("pci-dss-4", "gdpr") and loaded.frameworks_of(logs) == ()
    assert cards.level_of("note") == "confidential" and logs.level_of("x") is None
    # no period: kept for ever, which every minimum allows
    assert config.loads('[compliance]\nframeworks = ["hipaa"]\n').frameworks == ("hipaa",)


def test_dumps_writes_what_loads_reads_back() -> None:
    text = """
[audit]
schema = "trail"
owner_role = "trail_owner"
app_roles = ["app", "Worker"]
admin_roles = ["dba"]
default_policy = "omit"
skip_unchanged_updates = false
update_images = "full"
partition_interval = "week"
premake = 5

[retention]
pci = "1 year"
cards = { hot = "3 months", keep = "1 year" }
default = "2 years"
half = "6 months"
long = "18 months"
fortnight = "2 weeks"

[tables."public.customers"]
columns = { email = "hash", card = "mask:card", note = "plain", "Odd Name" = "plain" }
key = ["customer_no"]
retention = "pci"
not_pii = ["note"]
truncate = "refuse"

[tables.'"Sales Co"."Order Lines"']
truncate = "rows"
frameworks = ["gdpr"]
level = "internal"
levels = { "Line No" = "public" }

[compliance]
frameworks = ["gdpr", "soc2"]
soc2_retention = "6 months"
"""
    loaded = config.loads(text)
    written = config.dumps(loaded)
    again = config.loads(written)
    fields = ("schema", "owner_role", "app_roles", "admin_roles", "default_policy",
              "skip_unchanged_updates", "update_images", "partition_interval", "premake",
              "retention", "archive_retention", "frameworks", "soc2_retention")  # fmt: skip
    assert [getattr(again, f) for f in fields] == [getattr(loaded, f) for f in fields]
    shape = [
        (t.name, dict(t.columns), t.key, t.retention, t.not_pii, t.truncate, t.frameworks,
         t.level, dict(t.levels))
        for t in loaded.tables
    ]  # fmt: skip
    assert [
        (t.name, dict(t.columns), t.key, t.retention, t.not_pii, t.truncate, t.frameworks,
         t.level, dict(t.levels))
        for t in again.tables
    ] == shape  # fmt: skip
    assert 'card = "mask:card"' in written.splitlines()  # one column per line
