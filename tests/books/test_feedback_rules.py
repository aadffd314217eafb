"""The Books rules behind issue 15's feedback: an invoice for nothing is paid as it is sent and
owes nothing; an inactive customer takes no new documents but keeps its own; the organization's
payments as the Payments list reads them; a customer's documents, balance and CRM record."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.errors import InvalidTransition, ValidationError
from app.models import BooksSyncRecord, Kind, Payment, Status, Transaction
from app.services import customer_overview, payments, receivables, workflow
from app.services.books_contacts import books_contacts
from tests import factories as f

FREE = [{"description": "無償対応", "quantity": 1, "rate": 5000, "discount": 100, "tax_rate": 10}]


async def test_an_invoice_for_nothing_is_paid_once_sent(accountant, customer):
    free = await f.make_transaction(accountant, "invoice", customer, lines=FREE)
    assert (free.total, free.status) == (0, Status.DRAFT)
    with pytest.raises(InvalidTransition, match="Send the invoice"):
        await payments.record_payment(accountant, free.id, {"amount": "1"})
    sent = await workflow.mark_sent(accountant, Kind.INVOICE, free.id)
    assert (sent.status, sent.balance, sent.amount_paid) == (Status.PAID, 0, 0)
    assert not await Payment.exists()
    assert await receivables.summary(accountant, date.today(), customer.organization_id) == []
    # by e-mail too
    other = await f.make_transaction(accountant, "invoice", customer, lines=FREE)
    emailed = await workflow.mark_emailed(accountant, other, "a@example.jp")
    assert emailed.status == Status.PAID
    # an invoice with something to pay waits for its payment as before
    due = await f.make_sent_invoice(accountant, customer)
    assert (due.status, due.balance) == (Status.SENT, Decimal(11000))
    assert [r.outstanding for r in await receivables.summary(accountant, date.today())] == [Decimal(11000)]


async def test_an_inactive_customer_takes_no_new_documents(accountant, customer, org):
    estimate = await f.make_transaction(accountant, "estimate", customer)
    await books_contacts.set_active(accountant, customer.id, False)
    with pytest.raises(ValidationError) as refused:
        await f.make_transaction(accountant, "invoice", customer)
    assert [e.field for e in refused.value.errors] == ["contact_id"]
    # its documents go on: edited, converted
    other = await f.make_customer(org)
    edited = await Transaction.get(id=estimate.id)
    from app.services import transactions as txns

    await txns.update(accountant, Kind.ESTIMATE, edited.id, {"subject": "変更"})
    with pytest.raises(ValidationError):  # but not moved to another inactive one
        await books_contacts.set_active(accountant, other.id, False)
        await txns.update(accountant, Kind.ESTIMATE, edited.id, {"contact_id": other.id})
    invoice = await workflow.convert(accountant, Kind.ESTIMATE, estimate.id, Kind.INVOICE)
    assert invoice.contact_id == customer.id
    await books_contacts.set_active(accountant, customer.id, True)
    assert (await f.make_transaction(accountant, "invoice", customer)).contact_id == customer.id


async def test_the_organizations_payments(accountant, customer, org):
    other = await f.make_customer(org)
    first, second = await f.make_sent_invoice(accountant, customer), await f.make_sent_invoice(accountant, other)
    for invoice, day in ((first, "2026-01-05"), (second, "2026-02-05"), (first, "2026-03-05")):
        await payments.record_payment(accountant, invoice.id, {"amount": "1000", "date": day})
    elsewhere = await f.make_org(accountant.user)
    both = await f.principal_for(accountant.user)
    there = await f.make_sent_invoice(both, await f.make_customer(elsewhere))
    await payments.record_payment(both, there.id, {"amount": "1000", "date": "2026-02-06"})

    async def dates(**kw):
        qs = payments.organization_payments(accountant, org.id, **kw)
        return [p.date.isoformat() for p in await qs]

    assert await dates() == ["2026-03-05", "2026-02-05", "2026-01-05"]
    assert await dates(order="date") == ["2026-01-05", "2026-02-05", "2026-03-05"]
    assert await dates(contact_id=customer.id) == ["2026-03-05", "2026-01-05"]
    assert await dates(date_from=date(2026, 2, 1), date_to=date(2026, 3, 1)) == ["2026-02-05"]
    nobody = await f.principal_for(await f.make_user("Sales"))  # sees invoices of no organization
    assert await payments.organization_payments(nobody, org.id).count() == 0


async def test_a_customers_overview(accountant, customer, org):
    today = date.today()
    await f.make_transaction(accountant, "estimate", customer)
    late = await f.make_sent_invoice(accountant, customer, issue_date=today - timedelta(days=40),
                                     due_date=today - timedelta(days=10))
    await payments.record_payment(accountant, late.id, {"amount": "1000"})
    await f.make_sent_invoice(accountant, customer)
    seen = await customer_overview.overview(accountant, customer, today)
    assert [(g.kind, g.total) for g in seen.documents] == [
        (Kind.ESTIMATE, 1), (Kind.SALES_ORDER, 0), (Kind.INVOICE, 2), (Kind.CREDIT_NOTE, 0)]
    assert (seen.outstanding, seen.overdue) == (Decimal(21000), Decimal(10000))
    assert (seen.crm_module, seen.crm_record) == ("", None)
    account = await f.make_account(accountant.user, name="テスト商事")
    await BooksSyncRecord.create(organization=org, crm_module="accounts", account=account, books_contact=customer)
    seen = await customer_overview.overview(accountant, customer, today)
    assert (seen.crm_module, seen.crm_record.id) == ("accounts", account.id)
    # an account the user may not see is not shown
    stranger = await f.make_account(await f.make_user("Sales"), name="他人の会社")
    await BooksSyncRecord.filter(books_contact_id=customer.id).update(account_id=stranger.id)
    assert (await customer_overview.overview(accountant, customer, today)).crm_record is None
