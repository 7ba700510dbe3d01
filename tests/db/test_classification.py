"""What ``init`` writes, measured against hand labels (tests/classification_truth.toml) of the
real-world schemas in ../shared/realworld and of the project's test schemas.

Each schema is loaded into a database of its own, ``init`` reads it, and every column's policy is
compared with its label: a column labelled personal, free text or secret must not be ``plain``
(a miss is a false negative: personal data in clear in the trail); one labelled none should be
``plain`` (a false positive costs a reviewer's edit). Secrets must be ``omit``. The table of
results is printed (``pytest -rP``) and written to test-artifacts/classification.txt.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import psycopg

from pgaudit_kit import api
from tests.fixtures.db import AuditEnv
from tests.fixtures.realworld import REALWORLD, Schema, schemas, scratch_database

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
#: No false negatives; at most one false positive per ten tables.
MAX_FALSE_POSITIVES_PER_TABLE = 0.1


def _init_policies(env: AuditEnv, schema: Schema) -> dict[str, dict[str, str]] | None:
    if schema.realworld and not schema.path().exists():
        return None
    with scratch_database(env.server) as dsn:
        with psycopg.connect(dsn) as conn:
            conn.execute(schema.text(env.roles.app))
        path = env.tmp / f"{schema.name}.toml"
        api.init(path, dsn)
    with path.open("rb") as f:
        config = tomllib.load(f)
    return {table: entry["columns"] for table, entry in config["tables"].items()}


def test_init_finds_every_labelled_personal_column(env: AuditEnv) -> None:
    rows = []
    totals = {"tables": 0, "tp": 0, "fp": 0, "fn": 0, "tn": 0}
    wrong: list[str] = []
    for schema in schemas():
        found = _init_policies(env, schema)
        if found is None:
            rows.append(f"{schema.name:<8} skipped: {REALWORLD} is absent")
            continue
        assert set(found) == set(schema.labels), f"{schema.name}: label every table init writes"
        counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
        for table, labels in schema.labels.items():
            assert set(found[table]) == set(labels), f"{schema.name} {table}: label every column"
            for column, label in labels.items():
                policy = found[table][column]
                sensitive, flagged = label != "none", policy != "plain"
                kind = {(True, True): "tp", (False, True): "fp", (True, False): "fn"}.get(
                    (sensitive, flagged), "tn"
                )
                counts[kind] += 1
                if kind in ("fp", "fn") or (label == "secret" and policy != "omit"):
                    wrong.append(f"  {kind} {schema.name} {table}.{column}: {label} -> {policy}")
        tables = len(schema.labels)
        rows.append(_row(schema.name, tables, counts))
        totals["tables"] += tables
        for key in counts:
            totals[key] += counts[key]
    rows.append(_row("all", totals["tables"], totals))
    report = "\n".join(
        [
            "schema   tables columns  tp  fp  fn  precision recall",
            *rows,
            *(["misjudged:", *wrong] if wrong else []),
        ]
    )
    print(report)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "classification.txt").write_text(report + "\n", encoding="utf-8")
    assert totals["fn"] == 0, report
    assert totals["fp"] <= MAX_FALSE_POSITIVES_PER_TABLE * totals["tables"], report
    assert not [w for w in wrong if "secret" in w], report


def _row(name: str, tables: int, c: dict[str, int]) -> str:
    columns = c["tp"] + c["fp"] + c["fn"] + c["tn"]
    precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
    recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
    return (
        f"{name:<8} {tables:>6} {columns:>7} {c['tp']:>3} {c['fp']:>3} {c['fn']:>3}"
        f"  {precision:>9.3f} {recall:>6.3f}"
    )
