"""0009_search fills the search text of the rows that were there before it, on both databases."""

from __future__ import annotations

import uuid

import pytest
from tortoise.context import TortoiseContext

from app import cli
from app.db import tortoise_config
from tests.migrating import database_at
from tests.conftest import PG_URL, sqlite_suite_only, _pg_parts


async def _check_backfill(url: str) -> None:
    async with database_at(url, "models.0005_access_stamp") as ctx:
        conn = ctx.connections.get("default")
        when = "'2026-01-01 00:00:00+00:00'"
        await conn.execute_query(
            "INSERT INTO roles (name, description, is_system, sees_all_records, created_at, modified_at)"
            f" VALUES ('Sales', '', true, false, {when}, {when})")
        await conn.execute_query(
            "INSERT INTO users (email, name, password_hash, role_id, is_active, timezone, session_version,"
            f" created_at, modified_at) VALUES ('a@example.jp', 'A', 'x', 1, true, 'Asia/Tokyo', 0, {when}, {when})")
        await conn.execute_query(
            "INSERT INTO contacts (first_name, last_name, email, secondary_email, title, department, work_phone,"
            " home_phone, other_phone, mobile, fax, assistant, assistant_phone, reports_to, description,"
            " mailing_street, mailing_city, mailing_state, mailing_code, mailing_country, other_street,"
            " other_city, other_state, other_code, other_country, owner_id, created_at, modified_at)"
            " VALUES ('Olivia', 'Ｗａｌｋｅｒ', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '',"
            f" '', '', '', '', '', '', 1, {when}, {when})")
        await conn.execute_query(
            "INSERT INTO accounts (name, phone, fax, website, billing_street, billing_city, billing_state,"
            " billing_code, billing_country, shipping_street, shipping_city, shipping_state, shipping_code,"
            f" shipping_country, description, owner_id, created_at, modified_at) VALUES ('ｲﾉｳｴ商店', '', '', '',"
            f" '', '', '', '', '', '', '', '', '', '', '', 1, {when}, {when})")
    await cli.migrate(url)
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        from app.models import Account, Contact

        assert await Contact.filter(search_text__contains="walkerolivia").exists()
        assert await Contact.filter(search_text__contains="oliviawalker").exists()
        assert await Account.filter(search_text__contains="いのうえ商店").exists()


@sqlite_suite_only
async def test_backfill_on_sqlite(tmp_path):
    await _check_backfill(f"sqlite://{tmp_path / 'old.sqlite3'}")


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL run only (KIZUNA_TEST_DATABASE_URL)")
async def test_backfill_on_postgres():
    import asyncpg

    base, admin_db = _pg_parts(PG_URL)
    name = f"kizuna_search_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(f"{base.replace('postgres://', 'postgresql://')}/{admin_db}")
    await conn.execute(f'CREATE DATABASE "{name}"')
    try:
        await _check_backfill(f"{base}/{name}")
    finally:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


async def test_reindex_rebuilds_texts_written_around_save(db):
    from app.models import Contact, Item
    from app.services.search_index import reindex, searchable_models
    from tests import factories as f

    assert {m.__name__ for m in searchable_models()} == {
        "Account", "BooksContact", "Case", "Contact", "Deal", "Event", "Item", "Lead", "Product", "Task"}
    owner = await f.make_user("Sales")
    contact = await f.make_contact(owner, last_name="Walker", first_name="Olivia")
    await Contact.filter(id=contact.id).update(last_name="ｲﾉｳｴ")  # around save: text now stale
    assert await reindex() == 1
    assert await Contact.filter(search_text__contains="いのうえolivia").exists()
    assert await reindex() == 0 and not await Item.exists()
