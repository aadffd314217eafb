"""0031_tax16 gives the lines saved before tax categories their category by the documented rule:
10 standard, 8 reduced, 0 非課税 (exempt), on both databases; their stored breakdowns read alike."""

from __future__ import annotations

import importlib
from decimal import Decimal

from tortoise import connections

from app.models import TaxCategory, Transaction, TransactionLine
from app.services.tax import RateTotal
from tests import factories as f

MIGRATION = importlib.import_module("app.migrations.0031_tax16")


async def test_old_rates_become_categories(accountant, customer):
    txn = await f.make_transaction(accountant, "invoice", customer,
                                   [("作業", 1, 1000, 10), ("お弁当", 1, 800, 8), ("印紙", 1, 200, 0)])
    # as the rows were before the migration: only a rate, the column at its default
    await TransactionLine.filter(transaction_id=txn.id).update(tax_category=TaxCategory.STANDARD)
    for statement in MIGRATION.CATEGORIES:
        await connections.get("default").execute_script(statement)
    lines = await TransactionLine.filter(transaction_id=txn.id).order_by("position")
    assert [(line.tax_rate, line.tax_category) for line in lines] == [
        (Decimal(10), TaxCategory.STANDARD), (Decimal(8), TaxCategory.REDUCED), (Decimal(0), TaxCategory.EXEMPT)]
    old = [{k: v for k, v in row.items() if k in ("rate", "subtotal", "tax")}
           for row in (await Transaction.get(id=txn.id)).tax_breakdown]
    assert [RateTotal.from_json(r).category for r in old] == [
        TaxCategory.STANDARD, TaxCategory.REDUCED, TaxCategory.EXEMPT]
