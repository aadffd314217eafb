"""Receivables per customer: invoiced, paid, outstanding, overdue and aging buckets."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.errors import PermissionDenied
from app.permissions import Principal
from app.services import payments, receivables, workflow
from app.models import Kind
from tests import factories as f

TODAY = date(2026, 11, 23)


async def invoice(principal, contact, amount, days_late):
    due = TODAY - timedelta(days=days_late)
    return await f.make_sent_invoice(principal, contact, [("作業", 1, amount, 0)],
                                     issue_date=due - timedelta(days=30), due_date=due)


async def test_buckets_by_days_past_due(accountant, customer, org):
    await invoice(accountant, customer, 1000, 0)  # due today: current
    await invoice(accountant, customer, 2000, 1)
    await invoice(accountant, customer, 3000, 30)
    await invoice(accountant, customer, 4000, 31)
    await invoice(accountant, customer, 5000, 61)
    await invoice(accountant, customer, 6000, 90)
    late = await invoice(accountant, customer, 7000, 91)
    await payments.record_payment(accountant, late.id, {"amount": 2000})
    paid = await invoice(accountant, customer, 500, 200)
    await payments.record_payment(accountant, paid.id, {"amount": 500})
    await f.make_transaction(accountant, "invoice", customer)  # a draft does not count
    voided = await invoice(accountant, customer, 9999, 5)
    await workflow.void(accountant, Kind.INVOICE, voided.id)
    other = await f.make_customer(org, display_name="別の顧客")
    await invoice(accountant, other, 100, -10)

    rows = await receivables.summary(accountant, TODAY)
    assert [r.name for r in rows] == ["株式会社テスト", "別の顧客"]
    row = rows[0]
    assert (row.invoiced, row.paid, row.outstanding, row.overdue) == (
        Decimal(28500), Decimal(2500), Decimal(26000), Decimal(25000))
    assert row.aging == {"current": Decimal(1000), "days_1_30": Decimal(5000), "days_31_60": Decimal(4000),
                         "days_61_90": Decimal(11000), "days_over_90": Decimal(5000)}
    assert rows[1].aging["current"] == Decimal(100) and rows[1].overdue == 0


async def test_needs_the_receivables_grant_and_membership(accountant, customer):
    await invoice(accountant, customer, 1000, 10)
    sales = await Principal.load(await f.make_user("Sales"))
    with pytest.raises(PermissionDenied):
        await receivables.summary(sales, TODAY)
    outsider = await Principal.load(await f.make_user("Accountant"))
    assert await receivables.summary(outsider, TODAY) == []
