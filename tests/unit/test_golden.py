"""Golden files of generated SQL: the offline plan of each case in tests/golden (its config over
its schema file, with baselines) must equal the case's expected.sql, so every change to what
pgaudit-kit generates shows in review as a diff of those files. They change only through
``pytest --update-golden``. The toolkit revisions' SQL is frozen (migrations/versions), so each
is shown as one line here. Lines of generated SQL stay under 120 characters."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgaudit_kit import api
from pgaudit_kit.generate import Plan, comment_lines

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
CASES = sorted(p for p in GOLDEN.iterdir() if (p / "pgaudit.toml").is_file())


def golden_text(plan: Plan) -> str:
    """The plan's SQL with each frozen toolkit revision as its step line alone."""
    blocks = [comment_lines(f"note: {note}") for note in plan.notes]
    for step in plan.steps:
        frozen = step.kind == "toolkit"
        body = "-- (frozen SQL: migrations/versions)\n" if frozen else f"{step.sql_text()}\n"
        blocks.append(comment_lines(step.description) + body)
    return "\n".join(blocks)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_generated_sql_is_the_golden_file(case: Path, request: pytest.FixtureRequest) -> None:
    plan = api.plan_schema_file(case / "pgaudit.toml", case / "schema.sql", baseline=True).plan
    text = golden_text(plan)
    expected = case / "expected.sql"
    if request.config.getoption("--update-golden"):
        expected.write_text(text, encoding="utf-8")
    assert expected.is_file(), f"no {expected}: run pytest --update-golden and review the diff"
    assert text == expected.read_text(encoding="utf-8"), (
        f"generated SQL differs from {expected.relative_to(GOLDEN.parent.parent)}: review the "
        "change; if it is meant, run pytest --update-golden and commit the new file"
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_generated_lines_stay_under_120_characters(case: Path) -> None:
    plan = api.plan_schema_file(case / "pgaudit.toml", case / "schema.sql", baseline=True).plan
    long = [
        line
        for step in plan.steps
        if step.kind != "toolkit"
        for line in step.sql_text().splitlines()
        if len(line) >= 120
    ]
    assert not long, long[:3]
