"""The committed migrations match the models, apply cleanly, and create the indexes and triggers
we rely on."""

from __future__ import annotations

import uuid

import pytest
from tortoise.context import TortoiseContext
from tortoise.fields.relational import ForeignKeyFieldInstance
from tortoise.migrations.autodetector import MigrationAutodetector

from app import cli
from app.db import ACCESS_TABLES, tortoise_config
from tests.access_triggers import installed_triggers, uncovered
from tests.conftest import PG_URL, sqlite_suite_only, _pg_parts


@sqlite_suite_only
async def test_models_and_migrations_agree(tmp_path):
    config = tortoise_config(f"sqlite://{tmp_path / 'x.sqlite3'}")
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    pending = [op for w in writers for op in w.operations]
    assert not pending, (
        "The models changed but no migration says so: run `make makemigrations` and commit "
        f"the new file. Pending operations: {pending}"
    )


def _expected_indexed_columns(apps) -> set[tuple[str, str]]:
    """Every foreign key column, and every e-mail column: the lookups the app makes."""
    wanted = set()
    for model in apps.get_models_iterable():
        meta = model._meta
        for name, field in meta.fields_map.items():
            if isinstance(field, ForeignKeyFieldInstance):
                wanted.add((meta.db_table, field.source_field or f"{name}_id"))
            elif name in ("email", "secondary_email") and meta.db_table != "users":
                wanted.add((meta.db_table, name))
    return wanted


async def _indexed_columns(conn, dialect: str) -> set[tuple[str, str]]:
    if dialect == "sqlite":
        tables = [r["name"] for r in await conn.execute_query_dict(
            "SELECT name FROM sqlite_master WHERE type='table'")]
        found = set()
        for table in tables:
            for idx in await conn.execute_query_dict(f'PRAGMA index_list("{table}")'):
                cols = await conn.execute_query_dict(f'PRAGMA index_info("{idx["name"]}")')
                if cols:  # the leading column is what a lookup can use
                    found.add((table, cols[0]["name"]))
        return found
    rows = await conn.execute_query_dict(
        """SELECT t.relname AS tbl, a.attname AS col FROM pg_index i
           JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
           JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
           WHERE n.nspname = 'public'"""
    )
    return {(r["tbl"], r["col"]) for r in rows}


async def _check_applied(url: str, dialect: str) -> None:
    await cli.migrate(url)
    await cli.migrate(url)  # idempotent: a second run applies nothing and does not fail
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        conn = ctx.connections.get("default")
        missing = _expected_indexed_columns(ctx.apps) - await _indexed_columns(conn, dialect)
        assert not missing, f"columns without an index after migrating: {sorted(missing)}"
        # the access stamp is there, and the triggers that replace it (see app.db.ACCESS_SOURCES);
        # SQL by hand: tortoise keeps a model's INSERT in the first dialect it wrote to
        async def stamp() -> list[dict]:
            return await conn.execute_query_dict("SELECT id, stamp FROM access_stamp")

        first = await stamp()
        await conn.execute_query(
            "INSERT INTO roles (name, description, is_system, sees_all_records, created_at, modified_at)"
            " VALUES ('Auditors', '', false, false, '2026-01-01', '2026-01-01')")
        assert [row["id"] for row in first] == [1] and await stamp() != first
        # every table that shapes permissions, on every event (the migrations' frozen SQL)
        assert not uncovered(await installed_triggers(conn, dialect), set(ACCESS_TABLES), dialect)


@sqlite_suite_only
async def test_migrations_apply_on_sqlite_with_indexes(tmp_path):
    await _check_applied(f"sqlite://{tmp_path / 'migrated.sqlite3'}", "sqlite")


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL run only (KIZUNA_TEST_DATABASE_URL)")
async def test_migrations_apply_on_postgres_with_indexes():
    import asyncpg

    base, admin_db = _pg_parts(PG_URL)
    name = f"kizuna_migrate_{uuid.uuid4().hex[:8]}"
    admin_url = f"{base.replace('postgres://', 'postgresql://')}/{admin_db}"
    conn = await asyncpg.connect(admin_url)
    await conn.execute(f'CREATE DATABASE "{name}"')
    try:
        await _check_applied(f"{base}/{name}", "postgres")
    finally:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


@sqlite_suite_only
async def test_upgrading_gives_built_in_roles_their_books_grants(tmp_path):
    """A deployment from before Books: its built-in roles get the Books grants on migrating."""
    from tests.migrating import database_at

    url = f"sqlite://{tmp_path / 'old.sqlite3'}"
    async with database_at(url, "models.0003_name_order_indexes") as ctx:
        conn = ctx.connections.get("default")
        await conn.execute_query(
            "INSERT INTO roles (name, description, is_system, sees_all_records, created_at, modified_at)"
            " VALUES ('Accountant', '', 1, 0, '2026-01-01', '2026-01-01'),"
            " ('Auditors', '', 0, 0, '2026-01-01', '2026-01-01')")
    await cli.migrate(url)
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        from app.models import Grant

        grants = set(await Grant.filter(role__name="Accountant").values_list("module", "action"))
        assert {("invoices", "view"), ("invoices", "email"), ("receivables", "view")} <= grants
        assert not await Grant.filter(role__name="Auditors").exists()  # admins' own roles are theirs


@sqlite_suite_only
async def test_upgrading_gives_built_in_roles_their_product_grants(tmp_path):
    """A deployment from before products: its built-in roles get the products grants on migrating,
    so the Products menu and pages appear for them as they do on a new install."""
    from tests.migrating import database_at

    url = f"sqlite://{tmp_path / 'old.sqlite3'}"
    async with database_at(url, "models.0012_case_attachments") as ctx:
        conn = ctx.connections.get("default")
        await conn.execute_query(
            "INSERT INTO roles (name, description, is_system, sees_all_records, created_at, modified_at)"
            " VALUES ('Sales', '', 1, 0, '2026-01-01', '2026-01-01'),"
            " ('Auditors', '', 0, 0, '2026-01-01', '2026-01-01')")
    await cli.migrate(url)
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        from app.models import Grant

        grants = set(await Grant.filter(role__name="Sales", module="products").values_list("module", "action"))
        assert grants == {("products", "view"), ("products", "create_edit")}
        assert not await Grant.filter(role__name="Auditors").exists()
