"""Payments: partial and full, overpayment refused, voiding restores the balance, and two payments
recorded at the same moment cannot overpay an invoice together."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from app.errors import InvalidTransition, ValidationError
from app.models import Payment, Status, Transaction
from app.services import payments
from tests import factories as f


async def test_partial_then_full_payment(accountant, customer):
    inv = await f.make_sent_invoice(accountant, customer, [("作業", 1, 10000, 10)])  # 11,000
    await payments.record_payment(accountant, inv.id, {"amount": "4,000", "reference": "振込1"})
    inv = await Transaction.get(id=inv.id)
    assert (inv.status, inv.amount_paid, inv.balance) == (Status.PARTIALLY_PAID, Decimal(4000), Decimal(7000))
    await payments.record_payment(accountant, inv.id, {"amount": 7000, "mode": "cash"})
    inv = await Transaction.get(id=inv.id)
    assert (inv.status, inv.balance) == (Status.PAID, Decimal(0))
    with pytest.raises(InvalidTransition) as err:
        await payments.record_payment(accountant, inv.id, {"amount": 1})
    assert err.value.message == "This invoice is paid in full."


async def test_overpayment_refused_with_the_balance(accountant, customer):
    inv = await f.make_sent_invoice(accountant, customer, [("作業", 1, 10000, 10)])
    with pytest.raises(ValidationError) as err:
        await payments.record_payment(accountant, inv.id, {"amount": 11001})
    assert err.value.errors[0].field == "amount"
    assert err.value.errors[0].message == "The payment of ¥11,001 is more than the balance due of ¥11,000."
    assert not await Payment.exists()


async def test_payment_input_is_checked(accountant, customer):
    inv = await f.make_sent_invoice(accountant, customer)
    with pytest.raises(ValidationError) as err:
        await payments.record_payment(accountant, inv.id, {"amount": "0.5", "date": "2026-13-01", "mode": "barter"})
    assert {e.field for e in err.value.errors} == {"amount", "date", "mode"}
    assert err.value.errors[0].message == "JPY amounts have at most 0 decimal places."


async def test_draft_invoice_takes_no_payment(accountant, customer):
    inv = await f.make_transaction(accountant, "invoice", customer)
    with pytest.raises(InvalidTransition) as err:
        await payments.record_payment(accountant, inv.id, {"amount": 100})
    assert err.value.message == "Send the invoice (or mark it as sent) before recording payments."


async def test_voided_payment_restores_the_balance(accountant, customer):
    inv = await f.make_sent_invoice(accountant, customer, [("作業", 1, 10000, 10)])
    first = await payments.record_payment(accountant, inv.id, {"amount": 11000})
    assert (await Transaction.get(id=inv.id)).status == Status.PAID
    await payments.void_payment(accountant, first.id)
    inv = await Transaction.get(id=inv.id)
    assert (inv.status, inv.amount_paid, inv.balance) == (Status.SENT, Decimal(0), Decimal(11000))
    with pytest.raises(InvalidTransition):
        await payments.void_payment(accountant, first.id)
    assert (await Payment.get(id=first.id)).voided_at is not None


async def test_concurrent_payments_cannot_overpay(accountant, customer, is_postgres):
    inv = await f.make_sent_invoice(accountant, customer, [("作業", 1, 10000, 10)])
    results = await asyncio.gather(
        *(payments.record_payment(accountant, inv.id, {"amount": 6000}) for _ in range(3)),
        return_exceptions=True)
    assert sum(isinstance(r, Payment) for r in results) == 1
    assert all(isinstance(r, (Payment, ValidationError, InvalidTransition)) for r in results), results
    inv = await Transaction.get(id=inv.id)
    assert (inv.amount_paid, inv.balance) == (Decimal(6000), Decimal(5000))
