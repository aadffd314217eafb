"""Transactions through the service: numbering, totals with per-rate tax, dates, editing rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.errors import InvalidTransition, ValidationError
from app.models import Comment, Kind, Status, Transaction, TransactionLine
from app.services import transactions, workflow
from tests import factories as f


async def test_numbers_count_up_per_kind_with_the_prefix(accountant, customer, org):
    a = await f.make_transaction(accountant, "invoice", customer)
    b = await f.make_transaction(accountant, "invoice", customer)
    e = await f.make_transaction(accountant, "estimate", customer)
    assert (a.number, b.number, e.number) == ("INV-00001", "INV-00002", "EST-00001")
    org.invoice_prefix = "B-"
    await org.save()
    c = await f.make_transaction(accountant, "invoice", customer)
    assert c.number == "B-00003"


async def test_refused_creation_gives_its_number_back(accountant, customer):
    await f.make_transaction(accountant, "invoice", customer)
    with pytest.raises(ValidationError):
        await f.make_transaction(accountant, "invoice", customer, line_specs=[("x", 0, 100, 10)])
    nxt = await f.make_transaction(accountant, "invoice", customer)
    assert nxt.number == "INV-00002"


async def test_tax_is_computed_once_per_rate_and_rounded_down(accountant, customer):
    # Per line, 10% of 333 would round to 33 three times (99); per rate it is 99.9 -> 99.
    # 8% of 999 is 79.92 -> 79, once, from the reduced-rate subtotal.
    txn = await f.make_transaction(accountant, "invoice", customer, [
        ("作業A", 1, 333, 10), ("作業B", 1, 333, 10), ("作業C", 1, 333, 10), ("お弁当", 3, 333, 8),
    ])
    assert txn.subtotal == Decimal(1998)
    assert txn.tax_breakdown == [
        {"rate": "10", "subtotal": "999", "tax": "99", "category": "standard", "discount": "0"},
        {"rate": "8", "subtotal": "999", "tax": "79", "category": "reduced", "discount": "0"}]
    assert (txn.tax_total, txn.total, txn.balance) == (Decimal(178), Decimal(2176), Decimal(2176))


async def test_rounding_mode_is_the_organizations(accountant, customer, org):
    org.tax_rounding = "half_up"
    await org.save()
    txn = await f.make_transaction(accountant, "invoice", customer, [("a", 1, 1005, 10)])
    assert txn.tax_total == Decimal(101)  # 100.5 rounds half up
    org.tax_rounding = "up"
    await org.save()
    txn = await f.make_transaction(accountant, "invoice", customer, [("a", 1, 1001, 8)])
    assert txn.tax_total == Decimal(81)  # 80.08 rounds up


async def test_discount_and_fractional_quantities(accountant, customer):
    txn = await f.make_transaction(accountant, "estimate", customer, lines=[
        {"description": "値引き品", "quantity": "1.5", "rate": "999", "discount": "10", "tax_rate": "10"}])
    line = await TransactionLine.get(transaction_id=txn.id)
    assert line.amount == Decimal(1349)  # 1.5 x 999 x 0.9 = 1348.65 -> 1349 (half up, JPY)


async def test_usd_keeps_cents(accountant, org):
    customer = await f.make_customer(org, currency="USD", display_name="Acme Inc.")
    txn = await f.make_transaction(accountant, "invoice", customer, [("Consulting", 3, "33.33", 10)],
                                   exchange_rate="150", exchange_rate_date="2026-11-27")
    assert txn.currency == "USD"
    assert (txn.subtotal, txn.tax_total) == (Decimal("99.99"), Decimal("9.99"))


async def test_item_fills_in_the_line(accountant, customer, org):
    item = await f.make_item(org, name="お茶", rate=Decimal(150), unit="本", tax_rate=Decimal(8))
    txn = await transactions.create(accountant, Kind.INVOICE, {
        "contact_id": customer.id, "lines": [{"item_id": item.id, "quantity": 4}]})
    line = await TransactionLine.get(transaction_id=txn.id)
    assert (line.description, line.unit, line.rate, line.tax_rate, line.amount) == (
        "お茶", "本", Decimal(150), Decimal(8), Decimal(600))


async def test_line_problems_carry_their_path(accountant, customer, org):
    other_org_item = await f.make_item(await f.make_org())
    with pytest.raises(ValidationError) as err:
        await transactions.create(accountant, Kind.INVOICE, {"contact_id": customer.id, "lines": [
            {"description": "ok", "quantity": 1, "rate": 1},
            {"description": "", "quantity": "-1", "rate": "abc", "tax_rate": 5, "discount": 120},
            {"item_id": other_org_item.id, "quantity": 1},
        ]})
    fields = {e.field: e.message for e in err.value.errors}
    assert fields["lines.1.description"] == "Choose an item or describe the line."
    assert fields["lines.1.quantity"] == "Enter a quantity above zero."
    assert fields["lines.1.rate"] == "Enter a number."
    assert fields["lines.1.tax_rate"] == "Choose a tax rate of 10%, 8% (reduced) or 0%."
    assert fields["lines.1.discount"] == "Enter a discount from 0 to 100%."
    assert fields["lines.2.item_id"] == "Choose a valid record."
    assert not await Transaction.exists()


async def test_invoice_due_date_follows_payment_terms(accountant, org):
    eom = await f.make_customer(org, payment_terms="end_of_next_month")
    net30 = await f.make_customer(org, payment_terms="net_30")
    a = await f.make_transaction(accountant, "invoice", eom, issue_date="2026-01-15")
    b = await f.make_transaction(accountant, "invoice", net30, issue_date="2026-01-15")
    c = await f.make_transaction(accountant, "invoice", eom, issue_date="2026-12-10")
    assert (a.due_date, b.due_date, c.due_date) == (date(2026, 2, 28), date(2026, 2, 14), date(2027, 1, 31))
    d = await f.make_transaction(accountant, "invoice", net30, issue_date="2026-01-15", due_date="2026-01-20")
    assert d.due_date == date(2026, 1, 20)
    with pytest.raises(ValidationError) as err:
        await f.make_transaction(accountant, "invoice", net30, issue_date="2026-01-15", due_date="2026-01-01")
    assert err.value.errors[0].field == "due_date"


async def test_estimate_expires_30_days_after_issue_by_default(accountant, customer):
    est = await f.make_transaction(accountant, "estimate", customer, issue_date="2026-03-01")
    assert est.due_date == date(2026, 3, 31)


async def test_purchase_orders_go_to_vendors_and_sales_documents_to_customers(accountant, org, customer):
    vendor = await f.make_customer(org, contact_type="vendor", display_name="仕入先株式会社")
    with pytest.raises(ValidationError) as err:
        await f.make_transaction(accountant, "purchase_order", customer)
    assert err.value.errors[0].message == "Choose a vendor."
    with pytest.raises(ValidationError) as err:
        await f.make_transaction(accountant, "invoice", vendor)
    assert err.value.errors[0].message == "Choose a customer."
    po = await f.make_transaction(accountant, "purchase_order", vendor)
    assert po.number == "PO-00001"


async def test_sales_orders_only_in_the_books_edition(accountant, customer, org):
    org.edition = "invoice"
    await org.save()
    with pytest.raises(ValidationError) as err:
        await f.make_transaction(accountant, "sales_order", customer)
    assert err.value.errors[0].message == "Sales orders exist only in the Books edition."


async def test_other_organizations_customers_are_not_reachable(accountant):
    stranger = await f.make_customer(await f.make_org())
    with pytest.raises(ValidationError) as err:
        await f.make_transaction(accountant, "invoice", stranger)
    assert {e.field for e in err.value.errors} == {"organization_id"}


async def test_editing_replaces_lines_and_keeps_history(accountant, customer):
    txn = await f.make_transaction(accountant, "estimate", customer)
    await transactions.update(accountant, Kind.ESTIMATE, txn.id, {"lines": f.lines(("新", 2, 500, 10))})
    txn = await Transaction.get(id=txn.id)
    assert txn.total == Decimal(1100)
    assert await TransactionLine.filter(transaction_id=txn.id).count() == 1
    assert [c.action for c in await Comment.filter(transaction_id=txn.id)] == ["created", "updated"]


async def test_accepted_estimate_cannot_be_edited(accountant, customer):
    est = await f.make_transaction(accountant, "estimate", customer)
    await workflow.mark_sent(accountant, Kind.ESTIMATE, est.id)
    await workflow.accept(accountant, est.id)
    with pytest.raises(InvalidTransition) as err:
        await transactions.update(accountant, Kind.ESTIMATE, est.id, {"notes": "x"})
    assert err.value.message == "This estimate is “Accepted” and can no longer be edited."
    assert (await Transaction.get(id=est.id)).status == Status.ACCEPTED
