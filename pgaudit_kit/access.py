"""Who may run which command: the one table of it, and the check each command makes first.

A command needs the connected role to be in (or a member of a role in) one of the config's role
lists; superusers and the owner role may run everything. The check reads only the catalog, so a
role that may not touch the audit schema is told which list it needs, in one line, before any
privilege error could say less. What the lists are granted is :mod:`privileges`'s.

========================  ====================================================================
readers                   auditor_roles, admin_roles, investigator_roles
admin                     admin_roles
investigator              investigator_roles
installer                 a superuser, or on a managed service a role with CREATEROLE
========================  ====================================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from . import sqlfiles
from .config import Config
from .errors import PermissionDenied
from .identifiers import quote

READERS = ("auditor_roles", "admin_roles", "investigator_roles")
ADMINS = ("admin_roles",)
INVESTIGATORS = ("investigator_roles",)
#: Commands that install: a superuser, or a CREATEROLE role on a managed service (apply says
#: what it could not do without a superuser).
INSTALLER = ("installer",)
#: Commands that need no role list: they read only the catalog, or no database at all.
ANYONE: tuple[str, ...] = ()

#: The role lists each command needs (CLI names). tests/cli/test_cli_roles.py proves each row
#: through the CLI, as each persona, and fails for a command without one.
COMMANDS: dict[str, tuple[str, ...]] = {
    "init": ANYONE,
    "plan": READERS,
    "apply": INSTALLER,
    "uninstall": INSTALLER,
    "witness setup": INSTALLER,
    "witness maintain": READERS,
    "alembic-revision": READERS,
    "status": READERS,
    "check": READERS,
    "report": READERS,
    "verify": READERS,
    "digest": READERS,
    "archive": READERS,
    "archive prune": READERS,
    "alerts": ADMINS,
    "prove": READERS,
    "hold list": READERS,
    "seal": ADMINS,
    "maintain": ADMINS,
    "purge": ADMINS,
    "hold add": ADMINS,
    "hold release": ADMINS,
    "key rotate": ADMINS,
    "key shred": ADMINS,
    "redact": ADMINS,
    "lookup": INVESTIGATORS,
    "keygen": ANYONE,
    "verify-proof": ANYONE,
    "demo": ANYONE,
}


@dataclass(frozen=True)
class SessionRole:
    """The connected role, as the checks see it."""

    name: str
    superuser: bool
    member_of: frozenset[str]


def session_role(conn: psycopg.Connection[Any], names: list[str]) -> SessionRole:
    """Who is connected, and which of ``names`` it is (a member of)."""
    row = conn.execute(sqlfiles.render("queries/session_role.sql"), {"names": names}).fetchone()
    assert row is not None
    return SessionRole(str(row[0]), bool(row[1]), frozenset(row[2]))


def authorize(conn: psycopg.Connection[Any], config: Config, command: str, where: str) -> None:
    """Refuse the command, in one line naming the role list it needs, unless the connected role
    may run it.

    :raises PermissionDenied: naming the role and the lists that would let it.
    """
    needs = COMMANDS[command]
    if not needs:
        return
    if needs == INSTALLER:
        installer(conn, where)
        return
    lists = {name: tuple(getattr(config, name)) for name in needs}
    wanted = [config.owner_role, *(role for roles in lists.values() for role in roles)]
    role = session_role(conn, wanted)
    if role.superuser or config.owner_role in role.member_of:
        return
    if any(r in role.member_of for roles in lists.values() for r in roles):
        return
    names = " or ".join(needs) if len(needs) < 3 else f"{', '.join(needs[:-1])} or {needs[-1]}"
    raise PermissionDenied(
        f"role {quote(role.name)} is not in {names}, which {command} needs",
        where=where,
        hint=f"add it to {names} in {config.path.name} and run pgaudit-kit apply",
    )


@dataclass(frozen=True)
class Installer:
    """The role running apply: a superuser can install everything; a CREATEROLE role (the
    administrator a managed service gives) everything but what needs a superuser (the guard's
    event triggers, lending the owner BYPASSRLS for a baseline)."""

    name: str
    superuser: bool


def installer(conn: psycopg.Connection[Any], where: str) -> Installer:
    """The connected role, if it may install pgaudit-kit.

    :raises PermissionDenied: when it is neither a superuser nor a CREATEROLE role.
    """
    row = conn.execute(sqlfiles.render("queries/is_superuser.sql")).fetchone()
    assert row is not None
    superuser, name, createrole = bool(row[0]), str(row[1]), bool(row[2])
    if not (superuser or createrole):
        raise PermissionDenied(
            f"role {quote(name)} may not install pgaudit-kit: it is neither a superuser nor a "
            "role with CREATEROLE",
            where=where,
            hint="run apply and uninstall as the database's administrator (a superuser, or the "
            "managed service's admin role); the other roles run the commands of their lists",
        )
    return Installer(name, superuser)
