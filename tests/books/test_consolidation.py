"""Closing-date billing: due dates by the customer's (or the organization's) payment terms, and
consolidated monthly invoices (合算請求書) of a customer's confirmed sales orders in a closing period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.errors import NotFound, PermissionDenied, ValidationError
from app.models import Comment, Kind, Status, Transaction, TransactionLine
from app.services import consolidation, workflow
from app.services.books_contacts import books_contacts
from app.services.organizations import organizations
from tests import factories as f


async def _order(principal, contact, day, specs, confirm=True):
    order = await f.make_transaction(principal, "sales_order", contact, specs, issue_date=day.isoformat())
    if confirm:
        order = await workflow.confirm(principal, order.id)
    return order


# ---- due dates by terms ------------------------------------------------------------------


async def test_invoice_due_by_the_customers_closing_terms(accountant, customer):
    customer.payment_terms = "close_20_1_10"  # 20日締め翌月10日払い
    await customer.save()
    on = await f.make_transaction(accountant, "invoice", customer, issue_date="2026-11-20")
    after = await f.make_transaction(accountant, "invoice", customer, issue_date="2026-11-21")
    assert (on.due_date, after.due_date) == (date(2026, 12, 10), date(2027, 1, 10))
    assert on.payment_terms == "close_20_1_10"
    typed = await f.make_transaction(accountant, "invoice", customer, issue_date="2026-11-21",
                                     due_date="2026-11-30")
    assert typed.due_date == date(2026, 11, 30)  # a date entered by hand stays


async def test_customer_without_terms_follows_the_organization(accountant, org):
    contact = await f.make_customer(org)
    assert contact.payment_terms == ""
    org.payment_terms = "close_eom_2_10"  # 月末締め翌々月10日払い
    await org.save()
    txn = await f.make_transaction(accountant, "invoice", contact, issue_date="2027-01-31")
    assert txn.due_date == date(2027, 3, 10)


async def test_terms_are_validated_where_saved(accountant, org, customer):
    with pytest.raises(ValidationError) as raised:
        await books_contacts.update(accountant, customer.id, {"payment_terms": "close_20_0_10"})
    assert raised.value.errors[0].field == "payment_terms"
    saved = await books_contacts.update(accountant, customer.id, {"payment_terms": "CLOSE_25_01_EOM"})
    assert saved.payment_terms == "close_25_1_eom"
    cleared = await books_contacts.update(accountant, customer.id, {"payment_terms": ""})
    assert cleared.payment_terms == ""
    admin = await f.principal_for(await f.make_user("Administrator"))
    await f.make_org()  # another organization: not the admin's
    from app.models import Membership

    await Membership.create(organization_id=org.id, user_id=admin.user.id)
    admin = await f.principal_for(admin.user)
    with pytest.raises(ValidationError):
        await organizations.update(admin, org.id, {"payment_terms": ""})  # an organization always has terms
    assert (await organizations.update(admin, org.id, {"payment_terms": "net_45"})).payment_terms == "net_45"


# ---- consolidated invoices --------------------------------------------------------------------



async def test_consolidates_the_customers_orders_of_the_period(accountant, org, twentieth):
    a = await _order(accountant, twentieth, date(2026, 10, 21), [("設計", 1, 100000, 10)])
    b = await _order(accountant, twentieth, date(2026, 11, 20), [("お弁当", 10, 800, 8), ("作業", 2, 5000, 10)])
    before = await _order(accountant, twentieth, date(2026, 10, 20), [("前月", 1, 1000, 10)])
    after = await _order(accountant, twentieth, date(2026, 11, 21), [("翌月", 1, 1000, 10)])
    draft = await _order(accountant, twentieth, date(2026, 11, 1), [("未確定", 1, 1000, 10)], confirm=False)
    other = await _order(accountant, await f.make_customer(org), date(2026, 11, 1), [("他社", 1, 1000, 10)])

    shown = await consolidation.preview(accountant, twentieth.id, "2026-11-20")
    assert (shown.period.start, shown.period.end) == (date(2026, 10, 21), date(2026, 11, 20))
    assert [o.number for o in shown.orders] == [a.number, b.number]
    assert shown.due_date == date(2026, 12, 10)

    invoice = await consolidation.create(accountant, {"contact_id": twentieth.id, "period_end": "2026-11-20"})
    assert (invoice.transaction_date, invoice.transaction_date_end) == (date(2026, 10, 21), date(2026, 11, 20))
    assert invoice.issue_date == date(2026, 11, 20) and invoice.due_date == date(2026, 12, 10)
    assert invoice.total == a.total + b.total == shown.total
    assert invoice.subtotal == Decimal(118000)
    # tax once per rate over every order: 10% of 110,000 and 8% of 8,000
    assert invoice.tax_total == Decimal(11000 + 640)
    lines = await TransactionLine.filter(transaction_id=invoice.id).order_by("position")
    assert [(line.description, line.source_order_id) for line in lines] == [
        (f"{a.number} 設計", a.id), (f"{b.number} お弁当", b.id), (f"{b.number} 作業", b.id)]
    for order in (a, b):
        await order.refresh_from_db()
        assert (order.status, order.billed_by_id) == (Status.INVOICED, invoice.id)
    for untouched in (before, after, draft, other):
        await untouched.refresh_from_db()
        assert untouched.billed_by_id is None and untouched.status != Status.INVOICED
    assert await Comment.filter(transaction_id=a.id, action="converted").exists()
    assert [o.id for o in await consolidation.orders_billed_by(invoice)] == [a.id, b.id]

    # a second run bills nothing, and creates nothing
    with pytest.raises(ValidationError) as raised:
        await consolidation.create(accountant, {"contact_id": twentieth.id, "period_end": "2026-11-20"})
    assert raised.value.errors[0].field == "period_end"
    assert await Transaction.filter(kind=Kind.INVOICE).count() == 1
    assert (await consolidation.preview(accountant, twentieth.id, "2026-11-20")).orders == []


async def test_orders_converted_one_by_one_are_not_billed_again(accountant, twentieth):
    order = await _order(accountant, twentieth, date(2026, 11, 5), [("作業", 1, 1000, 10)])
    await workflow.convert(accountant, Kind.SALES_ORDER, order.id, Kind.INVOICE)
    with pytest.raises(ValidationError):
        await consolidation.create(accountant, {"contact_id": twentieth.id, "period_end": "2026-11-20"})


async def test_month_end_terms_and_a_late_issue_date(accountant, customer):
    customer.payment_terms = "end_of_next_month"
    await customer.save()
    await _order(accountant, customer, date(2026, 2, 1), [("a", 1, 1000, 10)])
    await _order(accountant, customer, date(2026, 2, 28), [("b", 1, 1000, 10)])
    invoice = await consolidation.create(
        accountant, {"contact_id": customer.id, "period_end": "2026-02-28", "issue_date": "2026-03-02"})
    assert (invoice.transaction_date, invoice.transaction_date_end) == (date(2026, 2, 1), date(2026, 2, 28))
    assert invoice.due_date == date(2026, 3, 31)
    late = await _order(accountant, customer, date(2026, 3, 3), [("c", 1, 1000, 10)])
    # issued after its own due date would fall: due by the terms from the issue date instead
    invoice = await consolidation.create(
        accountant, {"contact_id": customer.id, "period_end": "2026-03-31", "issue_date": "2026-05-10"})
    assert invoice.due_date == date(2026, 6, 30) and invoice.total == late.total


@pytest.mark.parametrize("data, field", [
    ({"period_end": "2026-11-20"}, None),  # no customer: not found
    ({"contact_id": "x", "period_end": "2026-11-20"}, None),
    ({"contact_id": "CUSTOMER", "period_end": "2026-11-19"}, "period_end"),  # not a closing date
    ({"contact_id": "CUSTOMER", "period_end": "2026-13-40"}, "period_end"),
    ({"contact_id": "CUSTOMER", "period_end": ""}, "period_end"),
    ({"contact_id": "CUSTOMER", "period_end": "2026-11-20", "issue_date": "yesterday"}, "issue_date"),
    ({"contact_id": "CUSTOMER", "period_end": "2026-11-20", "total": "1"}, "total"),
])
async def test_hostile_input_is_refused(accountant, twentieth, data, field):
    await _order(accountant, twentieth, date(2026, 11, 5), [("作業", 1, 1000, 10)])
    data = {k: (twentieth.id if v == "CUSTOMER" else v) for k, v in data.items()}
    if field is None:
        with pytest.raises(NotFound):
            await consolidation.create(accountant, data)
    else:
        with pytest.raises(ValidationError) as raised:
            await consolidation.create(accountant, data)
        assert raised.value.errors[0].field == field
    assert not await Transaction.filter(kind=Kind.INVOICE).exists()


async def test_permissions_and_organization_scoping(accountant, org, twentieth):
    order = await _order(accountant, twentieth, date(2026, 11, 5), [("作業", 1, 1000, 10)])
    seller = await f.make_user("Sales")
    from app.models import Membership

    await Membership.create(organization_id=org.id, user_id=seller.id)
    with pytest.raises(PermissionDenied):  # may see invoices, not create them
        await consolidation.create(await f.principal_for(seller), {"contact_id": twentieth.id, "period_end": "2026-11-20"})
    stranger = await f.make_user("Accountant")
    await f.make_org(stranger)
    with pytest.raises(NotFound):  # another organization's customer does not exist for them
        await consolidation.create(await f.principal_for(stranger),
                                   {"contact_id": twentieth.id, "period_end": "2026-11-20"})
    with pytest.raises(NotFound):
        await consolidation.preview(await f.principal_for(stranger), twentieth.id, "2026-11-20")
    await order.refresh_from_db()
    assert order.billed_by_id is None and order.status == Status.CONFIRMED


async def test_vendor_is_not_a_customer(accountant, org):
    vendor = await f.make_customer(org, contact_type="vendor")
    with pytest.raises(NotFound):
        await consolidation.preview(accountant, vendor.id, "2026-11-30")


def test_periods_offered_newest_first():
    from app.services import payment_terms

    periods = consolidation.periods(payment_terms.parse("close_20_1_10"), date(2026, 11, 29), 3)
    assert [(p.start, p.end) for p in periods] == [
        (date(2026, 11, 21), date(2026, 12, 20)), (date(2026, 10, 21), date(2026, 11, 20)),
        (date(2026, 9, 21), date(2026, 10, 20))]


async def test_the_pdf_lists_the_period_and_every_order(accountant, twentieth):
    from io import BytesIO

    from pypdf import PdfReader

    from app.formatting import format_document_period
    from app.services import books_pdf

    a = await _order(accountant, twentieth, date(2026, 10, 25), [("設計", 1, 100000, 10)])
    b = await _order(accountant, twentieth, date(2026, 11, 2), [("保守", 1, 20000, 10)])
    invoice = await consolidation.create(accountant, {"contact_id": twentieth.id, "period_end": "2026-11-20"})
    pdf = await books_pdf.render(invoice, "en")
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    assert "Sales orders billed" in text
    # the closing period is printed as the invoice's transaction period (取引年月日)
    assert format_document_period(date(2026, 10, 21), date(2026, 11, 20), "en") in text
    assert f"{a.number} Oct 25, 2026" in " ".join(text.split()) and f"{b.number} 保守" in text


async def test_voiding_the_invoice_gives_the_orders_back(accountant, twentieth):
    order = await _order(accountant, twentieth, date(2026, 11, 5), [("作業", 1, 1000, 10)])
    invoice = await consolidation.create(accountant, {"contact_id": twentieth.id, "period_end": "2026-11-20"})
    await workflow.void(accountant, Kind.INVOICE, invoice.id)
    await order.refresh_from_db()
    assert (order.status, order.billed_by_id) == (Status.CONFIRMED, None)
    again = await consolidation.create(accountant, {"contact_id": twentieth.id, "period_end": "2026-11-20"})
    assert again.total == order.total and again.id != invoice.id


async def test_more_lines_than_an_invoice_takes_are_refused(accountant, twentieth, monkeypatch):
    from app.services import transactions

    monkeypatch.setattr(transactions, "MAX_LINES", 2)
    await _order(accountant, twentieth, date(2026, 11, 5), [("a", 1, 1000, 10), ("b", 1, 1000, 10)])
    await _order(accountant, twentieth, date(2026, 11, 6), [("c", 1, 1000, 10)])
    with pytest.raises(ValidationError) as raised:
        await consolidation.create(accountant, {"contact_id": twentieth.id, "period_end": "2026-11-20"})
    assert raised.value.errors[0].render(lambda m: m) == "These orders have 3 lines; an invoice takes at most 2."
    assert not await Transaction.filter(kind=Kind.INVOICE).exists()
    assert not await Transaction.filter(status=Status.INVOICED).exists()
