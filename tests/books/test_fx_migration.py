"""0035_fx16 adds the exchange rate and its date to tables with rows, on both databases: the
documents saved before stay as they were (yen ones carry no rate), and a foreign-currency invoice
saved without a rate is still listed in the receivables, left out of the total in yen."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from tortoise.context import TortoiseContext

from app import cli
from app.db import tortoise_config
from tests.conftest import PG_URL, sqlite_suite_only, _pg_parts
from tests.migrating import database_at, insert_row



async def _check(url: str, dialect: str) -> None:
    async with database_at(url, "models.0034_unbilled") as ctx:
        conn = ctx.connections.get("default")
        await insert_row(conn, dialect, "organizations", {"name": "株式会社テスト", "currency": "JPY",
                                                       "tax_rounding": "down", "edition": "books"})
        # an accountant who may see the receivables (rows by hand: the ORM keeps a model's INSERT in
        # the first dialect it wrote to, and the other database's test may have run first)
        await insert_row(conn, dialect, "roles", {"name": "Accountant", "is_system": False})
        await insert_row(conn, dialect, "grants", {"role_id": 1, "module": "receivables", "action": "view"})
        await insert_row(conn, dialect, "users", {"email": "a@example.jp", "name": "A", "is_active": True,
                                               "timezone": "Asia/Tokyo", "role_id": 1})
        await insert_row(conn, dialect, "memberships", {"organization_id": 1, "user_id": 1})
        for n, currency in enumerate(("JPY", "USD"), start=1):
            await insert_row(conn, dialect, "books_contacts", {"organization_id": 1, "display_name": f"C{n}",
                                                            "contact_type": "customer", "currency": currency})
            await insert_row(conn, dialect, "transactions", {
                "organization_id": 1, "contact_id": n, "kind": "invoice", "number": f"INV-{n}", "status": "sent",
                "currency": currency, "issue_date": "2026-01-01", "due_date": "2099-01-31",
                "total": Decimal(1100), "balance": Decimal(1100), "portal_token": f"token-{n}",
                "tax_rounding": "down", "discount_type": "amount"})
    await cli.migrate(url)
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        from app.models import Transaction, User
        from app.permissions import Principal
        from app.services import receivables

        assert [(t.currency, t.exchange_rate, t.exchange_rate_date) for t in await Transaction.all().order_by("id")] \
            == [("JPY", None, None), ("USD", None, None)]
        rows = await receivables.summary(await Principal.load(await User.get(id=1)), date(2026, 2, 1))
        by_currency = {r.currency: r for r in rows}
        assert by_currency["JPY"].outstanding_jpy == Decimal(1100) and by_currency["JPY"].yen_complete
        assert by_currency["USD"].outstanding == Decimal(1100) and not by_currency["USD"].yen_complete
        assert receivables.yen_total(rows).outstanding == Decimal(1100)


@sqlite_suite_only
async def test_rate_columns_on_a_database_with_rows_on_sqlite(tmp_path):
    await _check(f"sqlite://{tmp_path / 'old.sqlite3'}", "sqlite")


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL run only (KIZUNA_TEST_DATABASE_URL)")
async def test_rate_columns_on_a_database_with_rows_on_postgres():
    import asyncpg

    base, admin_db = _pg_parts(PG_URL)
    name = f"kizuna_fx_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(f"{base.replace('postgres://', 'postgresql://')}/{admin_db}")
    await conn.execute(f'CREATE DATABASE "{name}"')
    try:
        await _check(f"{base}/{name}", "postgres")
    finally:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()
