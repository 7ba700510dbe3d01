"""Where the time of a captured UPDATE goes: one row trigger, taken apart piece by piece.

    .venv/bin/python -m bench.ablation [--dsn DSN] [--rows 50000] [--rounds 3]

One table of ``--rows`` rows; each variant is an AFTER UPDATE row trigger on it, and each round
times ``update t set a = a + 1`` under every variant in a rotating order (autocommit, after a
checkpoint). The figure per variant is the median time per row added over no trigger:

* ``naive``: plpgsql inserting ``to_jsonb(old)``, ``to_jsonb(new)`` into a table with a bigserial
  key (what bench calls the naive trigger);
* ``naive + security definer``, ``+ set search_path``, ``+ four set clauses``: the same body with
  what pgaudit-kit's functions carry per call;
* ``pgaudit-kit``: a copy of the row function pgaudit-kit generates (owner, SECURITY DEFINER and
  SET clauses as ``apply`` installs it; pgaudit-kit's own triggers are removed first);
* ``pgaudit-kit body, no definer or set``: that function's body copied into a plain function
  (run as the superuser, so it still reads the key), which shows what the body itself costs;
* ``pgaudit-kit, unpartitioned log``: the generated function writing into an unpartitioned copy
  of the log, which shows what partition routing costs.

Writes bench/results/ablation.md.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from psycopg import sql

from pgaudit_kit import api

from .audit import install_pgaudit_kit, write_config
from .cluster import BenchDatabase, fresh_database, open_cluster
from .log import progress
from .results import median

REPO = Path(__file__).resolve().parent.parent
_SETUP = """
create table public.t (id int primary key, a int not null, b text not null,
                       c timestamptz not null default now()) with (autovacuum_enabled = off);
insert into public.t (id, a, b) select g, g, 'row ' || g from generate_series(1, {rows}) g;
create table public.naive_log (id bigserial primary key, tg_op text, old_row jsonb, new_row jsonb,
                               changed_at timestamptz, changed_by text);
create schema ablation;
"""
_NAIVE = """
create function ablation.{name}() returns trigger language plpgsql {extra} as $$
begin
    insert into public.naive_log (tg_op, old_row, new_row, changed_at, changed_by)
    values (tg_op, to_jsonb(old), to_jsonb(new), now(), current_user);
    return null;
end
$$
"""
#: The guard refuses DDL on an audited table or in the audit schema outside this window.
_MAINTENANCE = "select audit.begin_maintenance('ablation');"
_NAIVE_VARIANTS = {
    "naive": "",
    "naive + security definer": "security definer",
    "naive + security definer + set search_path": "security definer "
    "set search_path = pg_catalog, pg_temp",
    "naive + security definer + four set clauses": "security definer "
    "set search_path = pg_catalog, pg_temp set timezone = 'UTC' set datestyle = 'ISO, YMD' "
    "set intervalstyle = 'postgres'",
}


_POLICIES = {"id": "plain", "a": "plain", "b": "hash", "c": "plain"}


def _function_name(variant: str) -> str:
    return "v_" + re.sub(r"\W+", "_", variant).strip("_")[:50]


def _kit_function(db: BenchDatabase) -> tuple[str, str]:
    """The generated UPDATE row function's name and full definition."""
    with db.connect() as conn:
        row = conn.execute(
            "select row_function::regproc::text, pg_get_functiondef(row_function) "
            "from audit.audited_tables"
        ).fetchone()
    assert row is not None
    return str(row[0]), str(row[1])


def _variants(db: BenchDatabase) -> dict[str, str]:
    """Variant name -> the function (schema-qualified) its trigger executes."""
    functions: dict[str, str] = {}
    for variant, extra in _NAIVE_VARIANTS.items():
        name = _function_name(variant)
        db.execute(_NAIVE.format(name=name, extra=extra))
        functions[variant] = f"ablation.{name}"
    kit_name, definition = _kit_function(db)
    db.execute(
        _MAINTENANCE
        + definition.replace(kit_name, "audit.kit_copy", 1)
        + f";alter function audit.kit_copy() owner to {db.owner_role};"
    )
    functions["pgaudit-kit"] = "audit.kit_copy"
    plain = re.sub(r"(?im)^\s*(security definer|set \w+ to .*|set \w+ = .*)$", "", definition)
    plain = plain.replace(kit_name, "ablation.kit_body", 1)
    db.execute(plain)
    functions["pgaudit-kit body, no definer or set"] = "ablation.kit_body"
    flat = definition.replace(kit_name, "audit.kit_flat", 1).replace(
        "audit.log_rows", "audit.log_flat"
    )
    db.execute(
        _MAINTENANCE + "create table audit.log_flat (like audit.log_rows including defaults)"
        " with (autovacuum_enabled = off);"
        f"alter table audit.log_flat owner to {db.owner_role};"
        + flat
        + f";alter function audit.kit_flat() owner to {db.owner_role};"
    )
    functions["pgaudit-kit, unpartitioned log"] = "audit.kit_flat"
    return functions


def _time_update(db: BenchDatabase, function: str | None) -> float:
    with db.connect() as conn:
        conn.execute("drop trigger if exists ablation_update on public.t")
        if function is not None:
            conn.execute(
                sql.SQL(
                    "create trigger ablation_update after update on public.t for each row "
                    "execute function {}()"
                ).format(sql.SQL(function))
            )
            conn.execute("alter table public.t enable always trigger ablation_update")
        conn.commit()
        conn.execute("checkpoint")
        conn.commit()
        started = time.perf_counter()
        conn.execute("update public.t set a = a + 1")
        conn.commit()
        return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ablation", description=__doc__)
    parser.add_argument("--dsn", help="superuser DSN (default: an embedded PostgreSQL 18)")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "ablation.md")
    args = parser.parse_args(argv)
    with open_cluster(args.dsn) as cluster, fresh_database(cluster, "ablation") as db:
        db.execute(_SETUP.format(rows=args.rows))
        install_pgaudit_kit(db, {"public.t": _POLICIES})
        variants: dict[str, str | None] = {"no trigger": None, **_variants(db)}
        # pgaudit-kit stops auditing the table (its copies above stay), so only the variant's
        # trigger fires
        api.apply(write_config(db, {}), db.dsn)
        with db.connect() as conn:
            server = conn.execute("show server_version").fetchone()
        names = list(variants)
        times: dict[str, list[float]] = {n: [] for n in names}
        for rnd in range(args.rounds):
            for name in names[rnd % len(names) :] + names[: rnd % len(names)]:
                seconds = _time_update(db, variants[name])
                times[name].append(seconds)
                progress(f"round {rnd} {name}: {seconds:.3f}s")
    base = median(times["no trigger"])
    lines = [
        f"# one UPDATE row trigger taken apart ({args.rows:,} rows, {args.rounds} rounds)",
        "",
        f"PostgreSQL {server[0] if server else '?'}; {time.strftime('%Y-%m-%d')}; "
        "`python -m bench.ablation`",
        "",
        "| variant | median s | µs per row over no trigger |",
        "|---|---|---|",
    ]
    for name in names:
        added = (median(times[name]) - base) / args.rows * 1e6
        lines.append(f"| {name} | {median(times[name]):.3f} | {added:.1f} |")
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
