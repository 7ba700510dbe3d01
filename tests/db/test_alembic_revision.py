"""alembic-revision: revisions written into a real Alembic project, run with the alembic command."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import psycopg
import pytest
from sqlalchemy.engine import URL

from pgaudit_kit import api
from pgaudit_kit.app_revision import RevisionResult
from pgaudit_kit.errors import InputError
from pgaudit_kit.generate import ROUTINE_KINDS
from tests.fixtures.db import AuditEnv

from .helpers import CUSTOMERS_DDL, CUSTOMERS_TOML, alembic_project

FIRST_APP_REVISION = '''"""create customers

Revision ID: 0001
Revises:
"""
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""{ddl}""")


def downgrade() -> None:
    op.execute("drop table public.customers")
'''


class Project:
    """A temporary Alembic project (made by ``alembic init``) pointed at the test's database."""

    def __init__(self, env: AuditEnv, root: Path) -> None:
        self.root = root
        self.versions = root / "migrations" / "versions"
        alembic_project(root)  # what `alembic init migrations` makes, without a process
        params = psycopg.conninfo.conninfo_to_dict(env.dsn)
        host = str(params.get("host") or "")
        url = URL.create(
            "postgresql+psycopg",
            username=str(params.get("user") or "") or None,
            database=str(params.get("dbname") or ""),
            host=None if host.startswith("/") else host or None,
            port=int(str(params["port"])) if params.get("port") else None,
            query={"host": host} if host.startswith("/") else {},
        )
        ini = root / "alembic.ini"
        # alembic.ini interpolates %: a percent-encoded socket path needs %%
        rendered = url.render_as_string(hide_password=False).replace("%", "%%")
        ini.write_text(
            ini.read_text().replace(
                "sqlalchemy.url = driver://user:pass@localhost/dbname",
                f"sqlalchemy.url = {rendered}",
            )
        )
        ddl = CUSTOMERS_DDL + f"alter table public.customers owner to {env.roles.app};"
        (self.versions / "0001_create_customers.py").write_text(FIRST_APP_REVISION.format(ddl=ddl))

    def alembic(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "alembic", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _revision(env: AuditEnv, project: Project, message: str) -> RevisionResult:
    return api.alembic_revision(env.config_path, env.dsn, project.root / "alembic.ini", message)


def _captured(env: AuditEnv, customer_id: int) -> bool:
    env.sql(
        "insert into customers (id, email, status) values (%s, 'a@example.com', 'new')",
        [customer_id],
        role=env.roles.app,
    )
    return bool(env.sql("select 1 from audit.log where row_key ->> 'id' = %s", [str(customer_id)]))


@pytest.fixture
def project(env: AuditEnv, tmp_path: Path) -> Project:
    made = Project(env, tmp_path / "app")
    made.alembic("upgrade", "head")
    return made


def test_upgrade_downgrade_and_upgrade_again(env: AuditEnv, project: Project) -> None:
    env.write_config(CUSTOMERS_TOML)
    plan_sql = api.plan(env.config_path, env.dsn).plan.sql_text()
    result = _revision(env, project, "audit customers")
    assert result.path is not None and result.path.parent == project.versions
    assert result.down_revision == "0001"
    module = _load(result.path)
    assert module.revision == result.revision and module.down_revision == "0001"
    # the revision holds each step plan --sql printed, by its description and SQL's SHA-256
    steps = api.plan(env.config_path, env.dsn).plan.steps
    reviewed = [(s.description, s.sha256) for s in steps if s.kind not in ROUTINE_KINDS]
    assert reviewed == module.UPGRADE_STEPS
    assert all(f"-- {s.description[:60]}" in plan_sql for s in steps)
    assert "pgaudit_kit_ops.upgrade(op, CONFIG, UPGRADE_STEPS, baseline=False, " in (
        result.path.read_text()
    )

    project.alembic("upgrade", "head")
    assert api.plan(env.config_path, env.dsn).plan.empty
    assert api.check(env.config_path, env.dsn).ok
    assert _captured(env, 1)
    assert api.status(env.config_path, env.dsn).problems == ()

    project.alembic("downgrade", "-1")
    assert env.sql("select count(*) from audit.audited_tables") == [(0,)]
    assert not _captured(env, 2)
    # the trail and its rows stay
    assert env.sql("select count(*) from audit.log where op = 'INSERT'") == [(1,)]

    project.alembic("upgrade", "head")  # every step already done is skipped
    assert _captured(env, 3)
    assert api.plan(env.config_path, env.dsn).plan.empty


def test_a_policy_change_and_its_downgrade(env: AuditEnv, project: Project) -> None:
    env.write_config(CUSTOMERS_TOML)
    first = _revision(env, project, "audit customers")
    project.alembic("upgrade", "head")
    (fingerprint,) = env.sql("select fingerprint from audit.audited_tables")[0]

    env.write_config(CUSTOMERS_TOML.replace('status = "plain"', 'status = "hash"'))
    second = _revision(env, project, "hash customer status")
    assert second.down_revision == first.revision
    assert [s.description for s in second.downgrade] == [
        "audit public.customers again as before (1 hash, 1 mask:card, 1 omit, 3 plain)",
    ]
    project.alembic("upgrade", "head")
    assert env.sql("select policies ->> 'status' from audit.audited_tables") == [("hash",)]

    project.alembic("downgrade", "-1")
    assert env.sql("select policies ->> 'status', fingerprint from audit.audited_tables") == [
        ("plain", fingerprint)
    ]
    env.write_config(CUSTOMERS_TOML)
    assert api.plan(env.config_path, env.dsn).plan.empty
    events = [r["new_values"]["action"] for r in env.log("CONFIG") if r["table_name"]]
    assert events == ["start", "change", "change"]


def test_a_table_removed_from_the_config_comes_back_on_downgrade(
    env: AuditEnv, project: Project
) -> None:
    env.write_config(CUSTOMERS_TOML)
    _revision(env, project, "audit customers")
    project.alembic("upgrade", "head")
    env.write_config("")
    stop = _revision(env, project, "stop auditing customers")
    assert stop.upgrade[0].description.startswith("stop auditing public.customers")
    project.alembic("upgrade", "head")
    assert not _captured(env, 1)
    project.alembic("downgrade", "-1")
    assert _captured(env, 2)


def test_nothing_to_do_writes_nothing(env: AuditEnv, project: Project) -> None:
    env.write_config(CUSTOMERS_TOML)
    env.apply()
    result = _revision(env, project, "nothing")
    assert result.path is None
    assert sorted(p.name for p in project.versions.glob("*.py")) == ["0001_create_customers.py"]


def test_several_heads_are_refused(env: AuditEnv, project: Project) -> None:
    env.write_config(CUSTOMERS_TOML)
    for name in ("0002a", "0002b"):
        (project.versions / f"{name}_branch.py").write_text(
            f'revision = "{name}"\ndown_revision = "0001"\nbranch_labels = None\n'
            "depends_on = None\n\n\ndef upgrade() -> None:\n    pass\n\n\n"
            "def downgrade() -> None:\n    pass\n"
        )
    with pytest.raises(InputError, match=r"the Alembic project has 2 heads \(0002a, 0002b\)"):
        _revision(env, project, "audit customers")


def test_a_database_behind_the_project_is_refused(env: AuditEnv, project: Project) -> None:
    env.write_config(CUSTOMERS_TOML)
    (project.versions / "0002_later.py").write_text(
        'revision = "0002"\ndown_revision = "0001"\nbranch_labels = None\ndepends_on = None\n\n\n'
        "def upgrade() -> None:\n    pass\n\n\ndef downgrade() -> None:\n    pass\n"
    )
    with pytest.raises(
        InputError, match="database is at Alembic revision 0001, the project's head is 0002"
    ):
        _revision(env, project, "audit customers")
    assert sorted(p.name for p in project.versions.glob("*.py")) == [
        "0001_create_customers.py",
        "0002_later.py",
    ]


def test_a_missing_alembic_ini_or_versions_folder_is_refused(
    env: AuditEnv, project: Project, tmp_path: Path
) -> None:
    env.write_config(CUSTOMERS_TOML)
    with pytest.raises(InputError, match=r"Alembic config .* does not exist"):
        api.alembic_revision(env.config_path, env.dsn, tmp_path / "nowhere.ini", "x")
    with pytest.raises(InputError, match=r"versions folder .* does not exist"):
        api.alembic_revision(
            env.config_path, env.dsn, project.root / "alembic.ini", "x",
            versions_dir=tmp_path / "nowhere",
        )  # fmt: skip


TWO_TABLES = (
    CUSTOMERS_TOML
    + """
[tables."public.orders"]
columns = { id = "plain", customer_id = "plain", total = "plain", note = "hash", placed = "plain" }
truncate = "rows"
"""
)


def test_the_project_template_file_template_and_hooks_make_a_short_revision(
    env: AuditEnv, project: Project
) -> None:
    """Written by the project's own Alembic: its script.py.mako, file_template and post-write
    hooks; two tables read in well under 200 lines, none of them 120 characters long."""
    env.sql(
        "create table public.orders (id int primary key, customer_id bigint, total numeric,"
        f" note text, placed date); alter table public.orders owner to {env.roles.app}"
    )
    template = project.root / "migrations" / "script.py.mako"
    template.write_text("# house style: reviewed by two people\n" + template.read_text())
    ini = project.root / "alembic.ini"
    hook = (
        "[post_write_hooks]\nhooks = stamp\nstamp.type = exec\n"
        f"stamp.executable = {sys.executable}\n"
        "stamp.options = -c \"import sys; open(sys.argv[1], 'a').write('# hooked\\n')\""
        " REVISION_SCRIPT_FILENAME\n"
    )
    text = ini.read_text().replace(
        "# file_template = %%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s",
        "file_template = audit_%%(rev)s_%%(slug)s",
    )
    assert "[post_write_hooks]\n" in text and "file_template = audit_" in text
    ini.write_text(text.replace("[post_write_hooks]\n", hook, 1))
    env.write_config(TWO_TABLES)
    result = api.alembic_revision(env.config_path, env.dsn, ini, "audit two tables", rev_id="0002")
    assert result.path is not None and result.path.name == "audit_0002_audit_two_tables.py"
    text = result.path.read_text()
    lines = text.splitlines()
    assert lines[0] == "# house style: reviewed by two people" and lines[-1] == "# hooked"
    assert len(lines) < 200, len(lines)
    assert max(len(line) for line in lines) < 120
    assert 'customer_id = "plain"' in lines and 'truncate = "rows"' in lines  # one per line
    project.alembic("upgrade", "head")
    assert api.plan(env.config_path, env.dsn).plan.empty
    assert env.sql("select count(*) from audit.audited_tables") == [(2,)]
    project.alembic("downgrade", "0001")
    assert env.sql("select count(*) from audit.audited_tables") == [(0,)]


def test_an_upgrade_runs_only_what_was_reviewed(env: AuditEnv, project: Project) -> None:
    env.write_config(CUSTOMERS_TOML)
    result = _revision(env, project, "audit customers")
    assert result.path is not None
    # the file is edited after review: status becomes hashed, but the reviewed SQL did not
    text = result.path.read_text()
    result.path.write_text(text.replace('status = "plain"', 'status = "hash"', 1))
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=project.root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert "the revision's CONFIG is not the one it was written with" in done.stderr
    assert env.sql("select to_regnamespace('audit') is null") == [(True,)]  # rolled back
    # with its hash edited too (the file is Python: this guards against drift, not malice), the
    # plan still holds a step whose SQL nobody reviewed
    text = result.path.read_text()
    result.path.write_text(re.sub(r"CONFIG_SHA256 = '[^']*'", "CONFIG_SHA256 = None", text))
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=project.root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert "would run a step this revision was not written with: 'audit public.customers" in (
        done.stderr
    )
    assert env.sql("select to_regnamespace('audit') is null") == [(True,)]


def test_a_downgrade_brings_back_a_retention_class_the_upgrade_dropped(
    env: AuditEnv, project: Project
) -> None:
    retained = CUSTOMERS_TOML.replace('not_pii = ["note"]', 'not_pii = ["note"]\nretention = "pci"')
    env.write_config(retained + '\n[retention]\npci = "18 months"\n')
    env.apply()
    project.alembic("stamp", "head")
    env.write_config(CUSTOMERS_TOML)  # the class and the table's use of it go
    _revision(env, project, "drop the pci class")
    project.alembic("upgrade", "head")
    assert env.sql("select count(*) from audit.retention_classes where name = 'pci'") == [(0,)]
    project.alembic("downgrade", "-1")
    assert env.sql("select name, keep::text from audit.retention_classes where name = 'pci'") == [
        ("pci", "1 year 6 mons")
    ]
    assert env.sql("select retention_class from audit.audited_tables") == [("pci",)]


def test_a_template_that_places_no_code_is_refused(env: AuditEnv, project: Project) -> None:
    template = project.root / "migrations" / "script.py.mako"
    template.write_text(template.read_text().replace('${upgrades if upgrades else "pass"}', "pass"))
    env.write_config(CUSTOMERS_TOML)
    with pytest.raises(InputError, match=r"does not place \$\{imports\}"):
        _revision(env, project, "audit customers")
    assert sorted(p.name for p in project.versions.glob("*.py")) == ["0001_create_customers.py"]


AFTER_AUDIT_REVISION = '''"""a later migration that relies on the search_path

Revision ID: 0003
Revises: {down}
"""
from alembic import op

revision = "0003"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("create table later_table (id int primary key)")
    op.execute("do $$ begin assert current_setting('lock_timeout') = '0', 'leaked'; end $$")


def downgrade() -> None:
    op.execute("drop table later_table")
'''


def test_later_migrations_in_the_same_transaction_keep_their_search_path(
    env: AuditEnv, project: Project
) -> None:
    """The revision pins the search_path and lock timeout while it runs and gives them back:
    Alembic runs every pending migration in one transaction, and the next one creates an
    unqualified table and expects no lock timeout."""
    env.write_config(CUSTOMERS_TOML)
    ours = _revision(env, project, "audit customers")
    (project.versions / "0003_later.py").write_text(AFTER_AUDIT_REVISION.format(down=ours.revision))
    project.alembic("upgrade", "head")
    assert env.sql("select to_regclass('public.later_table') is not null") == [(True,)]
    assert _captured(env, 1)
