"""0034_unbilled on a SQLite database with rows (where tortoise's own RemoveField would rebuild
the table; PostgreSQL drops columns in place, checked by test_migrations and the data steps by
tests/books/test_line_billing.py): a consolidated invoice's
period_start/period_end move into its transaction period before the columns are dropped in
place (no table rebuild: the invoice's and the orders' lines survive), and the lines of the
orders it billed get the invoice lines that billed them."""

from __future__ import annotations

import uuid
from datetime import date

from tortoise.context import TortoiseContext

from app import cli
from app.db import tortoise_config
from tests.migrating import database_at, insert_row
from tests.conftest import sqlite_suite_only

LINE = ("INSERT INTO transaction_lines (transaction_id, position, description, quantity, unit, rate, discount,"
        " tax_rate, tax_category, amount, source_order_id) VALUES ({txn}, {pos}, '{text}', 1, '', 1000, 0, 10,"
        " 'standard', 1000, {source})")


async def _upgrade(url: str) -> None:
    async with database_at(url, "models.0033_credit") as ctx:
        conn = ctx.connections.get("default")
        await insert_row(conn, "sqlite", "organizations", {"name": "株式会社テスト", "currency": "JPY",
                                                           "tax_rounding": "down", "edition": "books"})
        await insert_row(conn, "sqlite", "books_contacts", {"organization_id": 1, "display_name": "C1",
                                                            "contact_type": "customer", "currency": "JPY"})

        async def txn(kind: str, number: str, status: str, **values) -> int:
            await insert_row(conn, "sqlite", "transactions", {
                "organization_id": 1, "contact_id": 1, "kind": kind, "number": number, "status": status,
                "currency": "JPY", "issue_date": "2026-11-05", "portal_token": uuid.uuid4().hex,
                "tax_rounding": "down", "discount_type": "amount", **values})
            [row] = await conn.execute_query_dict("SELECT id FROM transactions WHERE number = ?", [number])
            return row["id"]

        invoice = await txn("invoice", "INV-1", "sent", period_start="2026-10-21", period_end="2026-11-20")
        order = await txn("sales_order", "SO-1", "invoiced", billed_by_id=invoice)
        for pos, text in ((1, "設計"), (2, "保守")):
            await conn.execute_query(LINE.format(txn=order, pos=pos, text=text, source="NULL"))
            await conn.execute_query(LINE.format(txn=invoice, pos=pos, text=f"SO-1 {text}", source=order))
    await cli.migrate(url)
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        from app.models import Transaction, TransactionLine

        invoice = await Transaction.get(number="INV-1")
        assert (invoice.transaction_date, invoice.transaction_date_end) == (date(2026, 10, 21), date(2026, 11, 20))
        order_lines = await TransactionLine.filter(transaction__number="SO-1").order_by("position")
        billed = {line.id: line.description for line in await TransactionLine.filter(transaction_id=invoice.id)}
        assert [billed[line.billed_line_id] for line in order_lines] == ["SO-1 設計", "SO-1 保守"]
        columns = await ctx.connections.get("default").execute_query_dict(
            "SELECT * FROM transactions WHERE number = 'INV-1'")
        assert "period_start" not in columns[0] and "period_end" not in columns[0]


@sqlite_suite_only
async def test_upgrade_on_sqlite(tmp_path):
    await _upgrade(f"sqlite://{tmp_path / 'old.sqlite3'}")
