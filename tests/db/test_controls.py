"""report --framework: each framework's controls on an intact trail and on a tampered one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pgaudit_kit import api
from tests.cli.helpers import run
from tests.fixtures.db import AuditEnv

from .helpers import CUSTOMERS_DDL, CUSTOMERS_TOML, seal_all

LEVELS = (
    'levels = { id = "internal", email = "confidential", card_number = "confidential", '
    'password = "restricted", status = "internal", note = "internal" }'
)
COMPLIANT = (
    CUSTOMERS_TOML.replace('not_pii = ["note"]', f'not_pii = ["note"]\n{LEVELS}')
    + '\n[retention]\ndefault = { hot = "3 months", keep = "6 years" }\n'
    + '\n[compliance]\nframeworks = ["pci-dss-4", "hipaa", "soc2", "gdpr"]\n'
)


@pytest.fixture
def trail(env: AuditEnv) -> AuditEnv:
    env.script(CUSTOMERS_DDL + f"alter table public.customers owner to {env.roles.app};")
    env.write_config(COMPLIANT)
    env.apply()
    env.sql(
        "insert into customers values (1, 'ann@example.org', '4111111111111234', 'pw', 'new', null)",
        role=env.roles.app,
    )
    env.sql("update customers set status = 'paid' where id = 1", role=env.roles.app)
    seal_all(env)
    return env


def _controls(env: AuditEnv, out: Path, *frameworks: str, **options: Any) -> dict[str, Any]:
    result = api.report(env.config_path, env.auditor_dsn, out, frameworks=frameworks, **options)
    document = json.loads(result.json_path.read_text())
    return {f"{c['framework']} {c['control']}": c for c in document["controls"]}


def test_each_framework_maps_an_intact_trail_onto_its_controls(
    trail: AuditEnv, tmp_path: Path, keys: tuple[Path, Path]
) -> None:
    got = _controls(trail, tmp_path / "r", "pci-dss-4", "hipaa", "soc2", "gdpr")
    verdicts = {name: c["verdict"] for name, c in got.items()}
    assert verdicts == {
        "pci-dss-4 10.2.1": "pass",
        "pci-dss-4 10.2.2": "gap",  # failed statements roll back with their rows
        "pci-dss-4 10.3.2": "pass",
        "pci-dss-4 10.3.3": "gap",  # no archive, no witness
        "pci-dss-4 10.3.4": "gap",  # no digest checked
        "pci-dss-4 10.5.1": "pass",
        "hipaa 164.312(b)": "pass",
        "hipaa 164.312(c)(1)": "gap",
        "hipaa 164.312(c)(2)": "gap",
        "hipaa 164.316(b)(2)(i)": "pass",
        "soc2 CC7.2": "gap",
        "soc2 CC7.2 integrity": "gap",
        "soc2 retention": "pass",
        "gdpr 5(1)(e)": "pass",
        "gdpr 17": "pass",
        "gdpr 32": "pass",
    }
    assert all(c["close"] for c in got.values() if c["verdict"] != "pass")
    assert "1 table(s) in scope: public.customers" in got["pci-dss-4 10.2.1"]["evidence"]
    # a digest and an archive close the integrity and copy gaps
    base = ["--dsn", trail.auditor_dsn, "--config", str(trail.config_path)]
    signing = ["--signing-key", str(keys[0])]
    assert run(*base, "digest", *signing, "--out", str(tmp_path / "d")).exit_code == 0
    archived = run("--dsn", trail.dsn, "--config", str(trail.config_path), "archive", *signing,
                   "--out", str(tmp_path / "a"))  # fmt: skip
    assert archived.exit_code == 0 and "recorded as archive 1" in archived.output
    closed = _controls(trail, tmp_path / "r2", "pci-dss-4", digests_dir=tmp_path / "d",
                       pubkey=keys[1])  # fmt: skip
    assert closed["pci-dss-4 10.3.4"]["verdict"] == "pass"
    # alert rules run: monitoring is evidenced
    alerted = run("--dsn", trail.dsn, "--config", str(trail.config_path), "alerts")
    assert alerted.exit_code in (0, 1)  # the install's own events are high
    assert _controls(trail, tmp_path / "r3", "soc2")["soc2 CC7.2"]["verdict"] == "pass"
    assert closed["pci-dss-4 10.3.3"]["verdict"] == "pass"
    page = (tmp_path / "r2" / "report.html").read_text()
    assert "7. Controls" in page and "10.3.4" in page and "ann@example.org" not in page


def test_a_tampered_trail_fails_the_integrity_controls(trail: AuditEnv, tmp_path: Path) -> None:
    trail.sql("update audit.log_rows set op = 'INSERT' where op = 'UPDATE'")
    got = _controls(trail, tmp_path / "r", "pci-dss-4", "hipaa", "soc2", "gdpr")
    for name in ("pci-dss-4 10.3.4", "hipaa 164.312(c)(1)", "soc2 CC7.2 integrity", "gdpr 32"):
        assert got[name]["verdict"] == "fail", name
    assert "1 problem(s): edited" in got["pci-dss-4 10.3.4"]["evidence"]


def test_what_breaks_coverage_fails_its_controls(trail: AuditEnv, tmp_path: Path) -> None:
    trail.script(
        "select audit.begin_maintenance('test');"
        " alter table public.customers disable trigger pgaudit_update"
    )
    got = _controls(trail, tmp_path / "r", "pci-dss-4", "gdpr")
    assert got["pci-dss-4 10.2.1"]["verdict"] == "fail"
    assert got["pci-dss-4 10.3.2"]["verdict"] == "fail"
    # a table out of every framework's scope leaves the logging control a gap
    trail.write_config(COMPLIANT.replace(LEVELS, f"{LEVELS}\nframeworks = []"))
    trail.apply()
    assert _controls(trail, tmp_path / "r2", "hipaa")["hipaa 164.312(b)"]["verdict"] == "gap"


def test_the_cli_prints_each_framework_s_tally(trail: AuditEnv, tmp_path: Path) -> None:
    result = run("--dsn", trail.auditor_dsn, "--config", str(trail.config_path), "report",
                 "--out", str(tmp_path / "r"), "--framework", "pci-dss-4", "--framework", "gdpr")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "pci-dss-4: 3 pass, 0 fail, 3 gap\ngdpr: 3 pass, 0 fail, 0 gap\n" in result.output


def test_an_unknown_framework_is_refused(trail: AuditEnv, tmp_path: Path) -> None:
    result = run("--dsn", trail.auditor_dsn, "--config", str(trail.config_path), "report",
                 "--out", str(tmp_path / "r"), "--framework", "iso27001")  # fmt: skip
    assert result.exit_code == 2 and "'iso27001' is not one of" in result.stderr
    assert not (tmp_path / "r").exists()
