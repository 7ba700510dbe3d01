"""The evidence report: its facts, its verdict, no plaintext PII, and the page as a browser shows
it (headless Chromium; screenshots kept in test-artifacts/)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pgaudit_kit import api
from pgaudit_kit.errors import InputError
from pgaudit_kit.report import ReportResult
from tests.cli.helpers import run
from tests.fixtures.db import AuditEnv

from .helpers import audited_customers, seal_all

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
EMAILS = ("ann@example.org", "bob@example.org")


def _trail(env: AuditEnv) -> None:
    audited_customers(env, audit='require = ["public.*"]')
    env.sql(
        f"insert into customers values (1, '{EMAILS[0]}', '4111 1111 1111 1234', 'pw', 'new', null),"
        f" (2, '{EMAILS[1]}', null, 'pw2', 'new', null)",
        role=env.roles.app,
    )
    env.sql("update customers set status = 'paid' where id = 1", role=env.roles.app)
    env.sql("delete from customers where id = 2", role=env.roles.app)
    seal_all(env)


def _report(env: AuditEnv, out: Path, **kwargs: Any) -> tuple[ReportResult, dict[str, Any]]:
    result = api.report(env.config_path, env.dsn, out, **kwargs)
    return result, json.loads(result.json_path.read_text())


def test_the_report_of_an_intact_trail(env: AuditEnv, tmp_path: Path) -> None:
    _trail(env)
    result, document = _report(env, tmp_path / "evidence")
    assert result.ok and document["verdict"]["ok"]
    assert document["schema_version"] == 1
    assert document["verify"]["ok"] and document["verify"]["rows_verified"] >= 4
    (table,) = document["coverage"]["tables"]
    assert table["table"] == "public.customers"
    assert table["policies"]["email"] == "hash" and table["policies"]["card_number"] == "mask:card"
    assert document["coverage"]["require"] == ["public.*"]
    assert document["immutability"]["guard_enabled"] is True
    assert document["immutability"]["triggers_healthy"] == 1
    assert [k["key_id"] for k in document["keys"]] == [1]
    activity = document["activity"]
    by_op = {r["label"]: r["count"] for r in activity["by_op"]}
    assert by_op["INSERT"] == 2 and by_op["UPDATE"] == 1 and by_op["DELETE"] == 1
    assert {r["label"]: r["count"] for r in activity["by_role"]}[env.roles.app] == 4
    assert activity["by_day"][0]["label"] == datetime.now(UTC).date().isoformat()
    html = result.html_path.read_text()
    assert 'class="verdict ok"' in html and "INTACT" in html
    assert html.count('<div style="height:') == 31  # every day of the default 30-day period


def test_the_report_holds_no_plaintext_pii_and_loads_nothing(env: AuditEnv, tmp_path: Path) -> None:
    _trail(env)
    result, _ = _report(env, tmp_path / "evidence")
    for path in (result.json_path, result.html_path):
        text = path.read_text()
        for secret in (*EMAILS, "4111 1111 1111 1234", "pw2"):
            assert secret not in text, (path.name, secret)
    html = result.html_path.read_text()
    assert not re.search(r"<script|<link|@import|url\(|src=\"http|href=\"http", html)
    assert "default-src 'none'" in html


def test_a_tampered_trail_is_the_first_thing_the_report_says(env: AuditEnv, tmp_path: Path) -> None:
    _trail(env)
    (victim,) = env.sql("select min(id) from audit.log_rows where op = 'UPDATE'")[0]
    env.sql('update audit.log_rows set new_values = \'{"status": "new"}\' where id = %s', [victim])
    result, document = _report(env, tmp_path / "evidence")
    assert not result.ok
    assert result.headline.startswith("TAMPERING DETECTED: 1 problem(s)")
    assert [(p["kind"], p["row_id"]) for p in document["verify"]["problems"]] == [
        ("edited", victim)
    ]
    html = result.html_path.read_text()
    assert html.index('class="verdict bad"') < html.index('id="integrity"')
    assert 'id="problems"' in html


def test_the_period_bounds_the_activity(env: AuditEnv, tmp_path: Path) -> None:
    _trail(env)
    last_year = date.today() - timedelta(days=400)
    _, document = _report(env, tmp_path / "old", start=last_year, end=last_year)
    assert document["activity"]["total"] == 0
    assert document["period"] == {"from": last_year.isoformat(), "to": last_year.isoformat()}
    with pytest.raises(InputError, match=r"ends .* before it starts"):
        api.report(env.config_path, env.dsn, tmp_path / "x", start=date.today(), end=last_year)


def test_cli_report_exit_codes(env: AuditEnv, tmp_path: Path) -> None:
    _trail(env)
    base = ["--dsn", env.dsn, "--config", str(env.config_path)]
    ok = run(*base, "report", "--out", str(tmp_path / "a"))
    assert ok.exit_code == 0, ok.stderr
    assert ok.stdout.startswith("INTACT: ")
    env.sql("delete from audit.log_rows where id = (select min(id) from audit.log_rows)")
    bad = run(*base, "report", "--out", str(tmp_path / "b"), "--format", "json")
    assert bad.exit_code == 1
    assert json.loads(bad.stdout)["ok"] is False


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    return found


@pytest.mark.parametrize("tampered", [False, True], ids=["intact", "tampered"])
def test_the_page_renders_in_headless_chromium(
    env: AuditEnv, tmp_path: Path, tampered: bool
) -> None:
    browser = _chromium()
    _trail(env)
    if tampered:
        env.sql("update audit.log_rows set op = 'INSERT' where op = 'DELETE'")
    result, _ = _report(env, tmp_path / "evidence")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    url = result.html_path.as_uri()
    dom = subprocess.run(
        [browser, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=120
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    verdict = re.search(r'<div class="verdict (ok|bad)" id="verdict">([^<]+)', dom.stdout)
    assert verdict is not None
    assert verdict.group(1) == ("bad" if tampered else "ok")
    assert verdict.group(2).startswith("TAMPERING DETECTED" if tampered else "INTACT")
    assert dom.stdout.count("<rect") >= 3  # the activity charts were drawn
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"report-{'tampered' if tampered else 'intact'}-{env.server.id}.png"
    shot.unlink(missing_ok=True)
    done = subprocess.run(
        [browser, *flags, "--window-size=1200,2600", f"--screenshot={shot}", url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
