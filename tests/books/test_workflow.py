"""Status machines: every allowed step, refused steps with their reason, conversions linked both
ways, and the dates that make estimates expired and invoices overdue."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.errors import InvalidTransition
from app.models import Comment, Kind, Status, Transaction
from app.services import payments, workflow
from tests import factories as f


async def history_of(txn) -> list[str]:
    return [c.action for c in await Comment.filter(transaction_id=txn.id, kind="history")]


async def test_estimate_draft_sent_viewed_accepted(accountant, customer):
    est = await f.make_transaction(accountant, "estimate", customer)
    with pytest.raises(InvalidTransition) as err:
        await workflow.accept(accountant, est.id)
    assert err.value.message == "Send the estimate before the customer can accept or decline it."
    await workflow.mark_sent(accountant, Kind.ESTIMATE, est.id)
    assert await workflow.mark_viewed(est) is True
    assert await workflow.mark_viewed(est) is False  # only the first view counts
    est = await workflow.accept(accountant, est.id)
    assert est.status == Status.ACCEPTED
    assert await history_of(est) == ["created", "mark_sent", "viewed", "accept"]
    with pytest.raises(InvalidTransition) as err:
        await workflow.decline(accountant, est.id)
    assert err.value.message == "This estimate is “Accepted”: it cannot be declined."


async def test_refusals_are_translated_with_their_parts(accountant, customer):
    from app.i18n import gettext

    est = await f.make_transaction(accountant, "estimate", customer)
    await workflow.void(accountant, Kind.ESTIMATE, est.id)
    with pytest.raises(InvalidTransition) as err:
        await workflow.mark_sent(accountant, Kind.ESTIMATE, est.id)
    english = err.value.render(lambda m: gettext("en", m))
    assert english == "This estimate is “Void”: it cannot be marked as sent."


async def test_estimate_declined(accountant, customer):
    est = await f.make_transaction(accountant, "estimate", customer)
    await workflow.mark_sent(accountant, Kind.ESTIMATE, est.id)
    est = await workflow.decline(accountant, est.id)
    assert est.status == Status.DECLINED
    with pytest.raises(InvalidTransition):
        await workflow.convert(accountant, Kind.ESTIMATE, est.id, Kind.INVOICE)


async def test_estimate_expires_by_date(accountant, customer):
    today = date.today()
    est = await f.make_transaction(accountant, "estimate", customer, issue_date=today - timedelta(days=40),
                                   due_date=today - timedelta(days=10))
    await workflow.mark_sent(accountant, Kind.ESTIMATE, est.id)
    est = await Transaction.get(id=est.id)
    assert workflow.display_status(est, today) == "expired"
    assert workflow.display_status(est, today - timedelta(days=11)) == "sent"
    with pytest.raises(InvalidTransition) as err:
        await workflow.accept(accountant, est.id)
    assert err.value.message == f"The estimate expired on {est.due_date.isoformat()}."


async def test_estimate_converts_to_invoice_linked_both_ways(accountant, customer):
    est = await f.make_transaction(accountant, "estimate", customer,
                                   [("設計", 1, 100000, 10), ("資料", 2, 500, 8)], reference="案件A")
    inv = await workflow.convert(accountant, Kind.ESTIMATE, est.id, Kind.INVOICE)
    est = await Transaction.get(id=est.id)
    assert (inv.kind, inv.status, inv.number, inv.source_id) == (Kind.INVOICE, Status.DRAFT, "INV-00001", est.id)
    assert est.status == Status.CONVERTED
    assert [t.id for t in await est.conversions] == [inv.id]
    assert (inv.total, inv.tax_breakdown, inv.reference) == (est.total, est.tax_breakdown, "案件A")
    notes = {c.action: c.params for c in await Comment.filter(transaction_id=est.id)}
    assert notes["converted"] == {"number": "INV-00001"}
    with pytest.raises(InvalidTransition) as err:
        await workflow.convert(accountant, Kind.ESTIMATE, est.id, Kind.SALES_ORDER)
    assert "“Converted”" in err.value.message


async def test_sales_order_flow(accountant, customer):
    est = await f.make_transaction(accountant, "estimate", customer)
    so = await workflow.convert(accountant, Kind.ESTIMATE, est.id, Kind.SALES_ORDER)
    assert so.number == "SO-00001"
    with pytest.raises(InvalidTransition) as err:
        await workflow.convert(accountant, Kind.SALES_ORDER, so.id, Kind.INVOICE)
    assert err.value.message == "Confirm the sales order before invoicing it."
    await workflow.confirm(accountant, so.id)
    inv = await workflow.convert(accountant, Kind.SALES_ORDER, so.id, Kind.INVOICE)
    so = await Transaction.get(id=so.id)
    assert so.status == Status.INVOICED and inv.source_id == so.id
    with pytest.raises(InvalidTransition):
        await workflow.void(accountant, Kind.SALES_ORDER, so.id)


async def test_converting_to_a_sales_order_needs_the_books_edition(accountant, customer, org):
    est = await f.make_transaction(accountant, "estimate", customer)
    org.edition = "invoice"
    await org.save()
    with pytest.raises(InvalidTransition) as err:
        await workflow.convert(accountant, Kind.ESTIMATE, est.id, Kind.SALES_ORDER)
    assert err.value.message == "Sales orders exist only in the Books edition."
    assert (await Transaction.get(id=est.id)).status == Status.DRAFT


async def test_invoice_cannot_be_accepted(accountant, customer):
    inv = await f.make_transaction(accountant, "invoice", customer)
    with pytest.raises(InvalidTransition) as err:
        await workflow.convert(accountant, Kind.INVOICE, inv.id, Kind.SALES_ORDER)
    assert err.value.message.startswith("This invoice cannot be converted")


async def test_purchase_order_flow(accountant, org):
    vendor = await f.make_customer(org, contact_type="vendor")
    po = await f.make_transaction(accountant, "purchase_order", vendor)
    with pytest.raises(InvalidTransition):
        await workflow.close(accountant, po.id)
    await workflow.mark_sent(accountant, Kind.PURCHASE_ORDER, po.id)
    po = await workflow.close(accountant, po.id)
    assert po.status == Status.CLOSED


async def test_invoice_overdue_is_derived_from_the_due_date(accountant, customer):
    today = date.today()
    inv = await f.make_sent_invoice(accountant, customer, issue_date=today - timedelta(days=60),
                                    due_date=today - timedelta(days=1))
    assert workflow.display_status(inv, today) == "overdue"
    await payments.record_payment(accountant, inv.id, {"amount": inv.total})
    inv = await Transaction.get(id=inv.id)
    assert workflow.display_status(inv, today) == "paid"


async def test_void_refused_while_payments_exist(accountant, customer):
    inv = await f.make_sent_invoice(accountant, customer)
    payment = await payments.record_payment(accountant, inv.id, {"amount": 1000})
    with pytest.raises(InvalidTransition) as err:
        await workflow.void(accountant, Kind.INVOICE, inv.id)
    assert err.value.message == "This invoice has payments: void them first."
    await payments.void_payment(accountant, payment.id)
    inv = await workflow.void(accountant, Kind.INVOICE, inv.id)
    assert inv.status == Status.VOID
