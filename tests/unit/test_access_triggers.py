"""Every table that shapes permissions replaces the access stamp on every kind of change, so a
kept reach (`app.permissions.reaches`) is never older than the database."""

from __future__ import annotations

import dataclasses

import pytest

from app.db import ACCESS_TABLES
from app.models import AccessStamp
from app.permissions import Reach
from tests import factories as f
from tests.access_triggers import installed_triggers, permission_tables, uncovered


async def test_every_table_that_shapes_permissions_has_its_triggers(db):
    tables = await permission_tables()
    # the derivation sees what Reach reads today; a new input joins by itself
    assert {"grants", "memberships", "sharing_rules", "roles", "users"} <= tables
    conn = db.connections.get("default")
    dialect = conn.capabilities.dialect
    assert not uncovered(await installed_triggers(conn, dialect), tables, dialect)
    assert tables <= set(ACCESS_TABLES), "app.db.ACCESS_TABLES lists every input of Reach.load"


async def test_the_check_fails_for_a_table_without_triggers(db):
    conn = db.connections.get("default")
    dialect = conn.capabilities.dialect
    assert uncovered(await installed_triggers(conn, dialect), {"contacts"}, dialect) == {
        "contacts": {"INSERT", "UPDATE", "DELETE"} | ({"TRUNCATE"} if dialect == "postgres" else set())}


async def test_truncate_replaces_the_stamp(db, is_postgres):
    if not is_postgres:
        pytest.skip("SQLite has no TRUNCATE; a DELETE fires the row triggers")
    conn = db.connections.get("default")
    for table in ("sharing_rules", "memberships"):
        before = (await AccessStamp.get(id=1)).stamp
        await conn.execute_script(f"TRUNCATE {table} CASCADE")
        assert (await AccessStamp.get(id=1)).stamp != before, table


async def test_a_kept_reach_cannot_be_changed(db):
    reach = await Reach.load(await f.make_user("Sales"))
    with pytest.raises(AttributeError):
        reach.grants.add(("contacts", "delete"))  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        reach.scopes["contacts"] = reach.scopes["deals"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        reach.scopes["contacts"].read_owner_ids.add(1)  # type: ignore[attr-defined]
    with pytest.raises(dataclasses.FrozenInstanceError):
        reach.scopes["contacts"].everything = True  # type: ignore[misc]
