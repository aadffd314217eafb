"""What the access-stamp triggers must cover, and what a database has installed."""

from __future__ import annotations

import re

from app.models import Access, Role, SharingRule, User
from app.permissions import Reach
from tests import factories as f
from tests.querycount import count_queries

TABLE_RE = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)
# pg_trigger.tgtype bits
PG_EVENTS = {4: "INSERT", 8: "DELETE", 16: "UPDATE", 32: "TRUNCATE"}


async def permission_tables() -> set[str]:
    """The tables `Reach.load` reads (every branch taken): what shapes a user's permissions.
    Derived from the code rather than listed, so a new input without a trigger fails a test."""
    owner_role = await Role.get(name="Sales")
    await f.make_user("Sales")  # a member of the role whose records are shared
    user = await f.make_user("Sales")
    await f.share("contacts", Access.READ_ONLY, grantee=user)
    await SharingRule.create(module="deals", access=Access.READ_WRITE, owner_role=owner_role, grantee_user=user)
    fresh = await User.get(id=user.id)  # the role is read too, as authentication does
    with count_queries() as queries:
        await Reach.load(fresh)
    return {table for sql in queries.sql for table in TABLE_RE.findall(sql)}


async def installed_triggers(conn, dialect: str) -> dict[str, set[str]]:
    """The events that fire a trigger, by table."""
    found: dict[str, set[str]] = {}
    if dialect == "sqlite":
        rows = await conn.execute_query_dict("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        for row in rows:
            event = re.search(r"\b(INSERT|UPDATE|DELETE)\b", row["sql"]).group(1)
            found.setdefault(row["tbl_name"], set()).add(event)
        return found
    rows = await conn.execute_query_dict(
        "SELECT c.relname AS tbl, t.tgtype AS tgtype FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        " WHERE NOT t.tgisinternal")
    for row in rows:
        found.setdefault(row["tbl"], set()).update(e for bit, e in PG_EVENTS.items() if row["tgtype"] & bit)
    return found


def events_needed(dialect: str) -> set[str]:
    return {"INSERT", "UPDATE", "DELETE"} | ({"TRUNCATE"} if dialect == "postgres" else set())


def uncovered(triggers: dict[str, set[str]], tables: set[str], dialect: str) -> dict[str, set[str]]:
    """The tables of `tables` lacking a trigger for an event that changes them, with the events."""
    missing = {t: events_needed(dialect) - triggers.get(t, set()) for t in tables}
    return {t: events for t, events in missing.items() if events}
