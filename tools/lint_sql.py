"""Lint the SQL pgaudit-kit generates with squawk and pgspot, for a realistic config.

The config is ``tools/lint/pgaudit.toml`` over the shop schema of ``tests/ddl/shop.sql`` (six
tables: comment policies, a partitioned table, a table keyed by a unique index, quoted names),
planned offline with ``--baseline``: the frozen toolkit revisions, capture functions, triggers,
grants, partitions and the guard, exactly the script ``plan --sql`` prints.

* squawk (migration safety) reads ``tools/lint/squawk.toml``, whose excluded rules each say why.
* pgspot (search_path and SECURITY DEFINER safety) has no config file; it runs with no ignores.
  pgspot 0.9 cannot read SQL-standard function bodies (``RETURN ...`` / ``BEGIN ATOMIC``; it
  stops with an IndexError), so those statements are checked here instead: their references are
  bound when the function is created (under the plan's pinned search_path), and a SECURITY
  DEFINER one must still pin its own search_path.

Usage: ``python tools/lint_sql.py [--keep DIR]``; exits 0 when clean, 1 with the findings.
The test suite runs it (tests/unit/test_lint_sql.py), so CI does.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pglast import ast, parse_sql, split

ROOT = Path(__file__).resolve().parents[1]
LINT = ROOT / "tools" / "lint"
SHOP = ROOT / "tests" / "ddl" / "shop.sql"


def _tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"lint_sql: {name} is not installed (pip install -e '.[dev]')")
    return found


def generated_sql() -> str:
    """The plan script for the lint config, computed offline."""
    from pgaudit_kit import api

    with tempfile.TemporaryDirectory() as tmp:
        schema = Path(tmp) / "shop.sql"
        schema.write_text(
            SHOP.read_text().replace("@app@", "app").replace("@other@", "other"), encoding="utf-8"
        )
        result = api.plan_schema_file(LINT / "pgaudit.toml", schema, baseline=True)
    return result.plan.sql_text()


def _standard_body(statement: str) -> ast.CreateFunctionStmt | None:
    """The statement, when it creates a function with an SQL-standard body."""
    node = parse_sql(statement)[0].stmt
    if isinstance(node, ast.CreateFunctionStmt) and node.sql_body is not None:
        return node
    return None


def _standard_body_problem(node: ast.CreateFunctionStmt) -> str | None:
    """What is wrong with a function with an SQL-standard body, if anything. As pgspot asks of
    other functions, a SECURITY DEFINER one must pin ``pg_catalog, pg_temp``."""
    options = node.options or ()
    definer = any(o.defname == "security" and o.arg.boolval for o in options)
    paths = [
        [a.val.sval for a in o.arg.args]
        for o in options
        if o.defname == "set" and o.arg.name == "search_path"
    ]
    if definer and paths != [["pg_catalog", "pg_temp"]]:
        name = ".".join(n.sval for n in node.funcname)
        return f"SECURITY DEFINER function {name} must set search_path = pg_catalog, pg_temp"
    return None


def squawk(path: Path) -> list[str]:
    done = subprocess.run(
        [_tool("squawk"), "--config", str(LINT / "squawk.toml"), "--reporter", "gcc", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    findings = [line for line in done.stdout.splitlines() if re.match(r".+:\d+:\d+: ", line)]
    if done.returncode != 0 and not findings:
        findings = [f"squawk failed: {done.stderr.strip() or done.stdout.strip()}"]
    return findings


def pgspot(text: str, workdir: Path) -> list[str]:
    findings: list[str] = []
    checked: list[str] = []
    for statement in (str(s) for s in split(text)):
        node = _standard_body(statement)
        if node is not None:
            problem = _standard_body_problem(node)
            if problem:
                findings.append(problem)
        else:
            checked.append(statement + ";\n")
    path = workdir / "pgspot.sql"
    path.write_text("".join(checked), encoding="utf-8")
    done = subprocess.run([_tool("pgspot"), str(path)], capture_output=True, text=True, check=False)
    summary = re.search(r"Errors: (\d+) Warnings: (\d+) Unknown: (\d+)", done.stdout)
    tail = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
    if summary is None or done.returncode != 0 or "Errors: 0 Warnings: 0 Unknown: 0" not in tail:
        findings += [line for line in done.stdout.splitlines() if line.startswith("PS")]
        if not summary or summary.groups() == ("0", "0", "0"):
            findings.append(f"pgspot could not check the script: {tail.strip()}")
    return findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="write the linted SQL into this directory")
    args = parser.parse_args(argv)
    text = generated_sql()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        plan = workdir / "plan.sql"
        plan.write_text(text, encoding="utf-8")
        findings = [f"squawk: {f}" for f in squawk(plan)]
        findings += [f"pgspot: {f}" for f in pgspot(text, workdir)]
    statements = len(split(text))
    for finding in findings:
        print(finding)
    print(f"lint_sql: {statements} statements, {len(findings)} finding(s)", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
