"""Feedback on the Books pages (issue 15): a message after every write and status change, a
conversion asked before it happens, a draft invoice saying how it comes to take payments,
customers made inactive instead of deleted, the payments list, a customer's page with its
documents, balance and CRM record, and receivables that lead to the invoices behind them."""

from __future__ import annotations

from datetime import date, timedelta

from app.formatting import format_day
from app.models import BooksContact, BooksSyncRecord, Payment, Status, Transaction
from tests import factories as f
from tests.views.conftest import hx_post, post, text_of


def flash_of(html: str) -> str:
    return text_of(html, "flash-message")


async def landing(client, response) -> str:
    url = response.headers.get("HX-Location") or response.headers["location"]
    return (await client.get(url)).text


async def test_create_save_send_and_void_say_so_once(client, principal, customer):
    created = await post(client, "/books/invoices", {
        "contact_id": str(customer.id), "issue_date": "2026-03-01", "lines-0-description": "作業費",
        "lines-0-quantity": "1", "lines-0-rate": "10000", "lines-0-tax_rate": "10"})
    assert created.status_code == 303
    invoice = await Transaction.get(contact_id=customer.id)
    page = await landing(client, created)
    assert flash_of(page) == f"Invoice {invoice.number} was created."
    again = (await client.get(f"/books/invoices/{invoice.id}")).text
    assert 'id="flash-message"' not in again  # once
    saved = await post(client, f"/books/invoices/{invoice.id}/edit", {
        "contact_id": str(customer.id), "issue_date": "2026-03-01", "subject": "三月分",
        "lines-0-description": "作業費", "lines-0-quantity": "2", "lines-0-rate": "10000", "lines-0-tax_rate": "10"})
    assert flash_of(await landing(client, saved)) == f"Invoice {invoice.number} was saved."
    sent = await hx_post(client, f"/books/invoices/{invoice.id}/mark-sent")
    assert flash_of(await landing(client, sent)) == f"Invoice {invoice.number} was marked as sent."
    voided = await hx_post(client, f"/books/invoices/{invoice.id}/void")
    assert flash_of(await landing(client, voided)) == f"Invoice {invoice.number} was voided."
    refused = await hx_post(client, f"/books/invoices/{invoice.id}/void")  # a refusal is no success
    assert refused.status_code == 422
    assert 'id="flash-message"' not in (await client.get(f"/books/invoices/{invoice.id}")).text


async def test_payments_recorded_and_voided_say_so(client, principal, customer):
    invoice = await f.make_sent_invoice(principal, customer)  # ¥11,000
    recorded = await hx_post(client, f"/books/invoices/{invoice.id}/payments", {"amount": "4000"})
    assert flash_of(await landing(client, recorded)) == f"Payment of ¥4,000 recorded on {invoice.number}."
    payment = await Payment.get(invoice_id=invoice.id)
    voided = await hx_post(client, f"/books/invoices/{invoice.id}/payments/{payment.id}/void")
    assert flash_of(await landing(client, voided)) == f"Payment of ¥4,000 on {invoice.number} voided."


async def test_converting_an_estimate_is_asked_first(client, principal, customer):
    estimate = await f.make_transaction(principal, "estimate", customer)
    page = (await client.get(f"/books/estimates/{estimate.id}")).text
    url = f"/books/estimates/{estimate.id}/convert-to-invoice"
    assert f'<a class="button" href="{url}" id="action-convert-to-invoice">' in page  # a link, not a POST
    asked = await client.get(url)
    assert asked.status_code == 200
    assert text_of(asked.text, "confirm-question") == f"Convert {estimate.number} into a new invoice?"
    assert f'<form method="post" action="{url}">' in asked.text and 'id="confirm-convert-to-invoice"' in asked.text
    assert await Transaction.filter(kind="invoice").count() == 0  # asking changed nothing
    done = await post(client, url)
    invoice = await Transaction.get(kind="invoice")
    assert done.headers["location"] == f"/books/invoices/{invoice.id}"
    assert flash_of(await landing(client, done)) == f"{estimate.number} was converted into invoice {invoice.number}."
    # converted: there is nothing more to ask; the page says why
    again = await client.get(url)
    assert again.status_code == 409 and "This estimate cannot be converted now." in again.text


async def test_a_draft_invoice_says_how_to_take_payments(client, principal, customer):
    draft = await f.make_transaction(principal, "invoice", customer)
    page = (await client.get(f"/books/invoices/{draft.id}")).text
    assert text_of(page, "payment-hint").startswith("Send the invoice (or mark it as sent) before recording payments.")
    assert f'href="/books/invoices/{draft.id}/send" id="hint-send"' in page
    assert f'action="/books/invoices/{draft.id}/mark-sent"' in page and 'id="hint-mark-sent"' in page
    assert 'id="payment-form"' not in page
    await post(client, f"/books/invoices/{draft.id}/mark-sent")
    page = (await client.get(f"/books/invoices/{draft.id}")).text
    assert 'id="payment-hint"' not in page and 'id="payment-form"' in page


async def test_a_customer_with_documents_is_made_inactive_then_active_again(client, principal, customer, org):
    await f.make_transaction(principal, "invoice", customer)
    other = await f.make_customer(org, display_name="別の会社")
    asked = await client.get(f"/books/contacts/{customer.id}/delete")
    assert asked.status_code == 200 and 'id="deactivate-record"' in asked.text
    assert "make it inactive instead" in asked.text
    done = await post(client, f"/books/contacts/{customer.id}/deactivate")
    assert done.headers["location"] == f"/books/contacts/{customer.id}"
    page = await landing(client, done)
    assert flash_of(page) == "Customer “株式会社テスト” is now inactive: it is no longer offered for new documents."
    assert 'id="inactive-badge"' in page and 'id="activate-record"' in page
    assert not (await BooksContact.get(id=customer.id)).is_active
    # hidden from the pickers of new documents, refused if posted anyway
    form = (await client.get("/books/invoices/new")).text
    assert f'<option value="{other.id}">別の会社</option>' in form and "株式会社テスト</option>" not in form
    refused = await post(client, "/books/invoices", {"contact_id": str(customer.id), "lines-0-description": "x",
                                                      "lines-0-quantity": "1", "lines-0-rate": "1"})
    assert refused.status_code == 422 and "This customer or vendor is inactive" in refused.text
    # its existing document keeps it in the form
    old = await Transaction.get(contact_id=customer.id)
    assert f'<option value="{customer.id}" selected>株式会社テスト</option>' in (
        await client.get(f"/books/invoices/{old.id}/edit")).text
    # marked in the list, and filtered
    inactive = (await client.get("/books/contacts?state=inactive")).text
    assert "株式会社テスト" in inactive and "別の会社" not in inactive
    active = (await client.get("/books/contacts?state=active")).text
    assert "株式会社テスト" not in active and "別の会社" in active
    back = await post(client, f"/books/contacts/{customer.id}/activate")
    assert flash_of(await landing(client, back)) == "Customer “株式会社テスト” is active again."
    assert (await BooksContact.get(id=customer.id)).is_active
    assert "株式会社テスト</option>" in (await client.get("/books/invoices/new")).text


async def test_payments_list(client, principal, customer, org):
    other = await f.make_customer(org, display_name="別の会社")
    first = await f.make_sent_invoice(principal, customer)
    second = await f.make_sent_invoice(principal, other)
    for invoice, day, amount in ((first, "2026-01-10", "1000"), (first, "2026-02-10", "2000"),
                                 (second, "2026-03-10", "3000")):
        await post(client, f"/books/invoices/{invoice.id}/payments", {"amount": amount, "date": day})
    page = (await client.get("/books/invoices")).text
    assert 'href="/books/payments"' in page  # in the Books navigation
    listed = (await client.get("/books/payments")).text
    assert text_of(listed, "result-count") == "3 payments"
    assert listed.index("¥3,000") < listed.index("¥2,000") < listed.index("¥1,000")  # newest first
    assert f'<a href="/books/invoices/{first.id}">{first.number}</a>' in listed and "別の会社" in listed
    oldest = (await client.get("/books/payments?order=date")).text
    assert oldest.index("¥1,000") < oldest.index("¥2,000") < oldest.index("¥3,000")
    mine = (await client.get(f"/books/payments?contact={customer.id}")).text
    rows, received = mine.split("<tfoot>")
    assert text_of(mine, "result-count") == "2 payments" and "¥3,000" not in rows
    assert "¥3,000" in received  # what the customer's two payments add up to
    ranged = (await client.get("/books/payments?from=2026-02-01&to=2026-02-28")).text
    assert text_of(ranged, "result-count") == "1 payment" and "¥2,000" in ranged
    hostile = await client.get("/books/payments?from=yesterday&contact=x&order=sideways&page=-3")
    assert hostile.status_code == 200 and text_of(hostile.text, "result-count") == "3 payments"


async def test_payments_list_has_pages(client, principal, customer, monkeypatch):
    from app import settings

    monkeypatch.setattr(settings, "DEFAULT_PAGE_SIZE", 2)
    invoice = await f.make_sent_invoice(principal, customer)
    for amount in ("100", "200", "300"):
        await post(client, f"/books/invoices/{invoice.id}/payments", {"amount": amount})
    first = (await client.get("/books/payments")).text
    assert 'rel="next"' in first and first.count('<tr id="payment-') == 2
    second = (await client.get("/books/payments?page=2")).text
    assert second.count('<tr id="payment-') == 1 and 'rel="prev"' in second


async def test_a_customer_page_shows_its_documents_balance_and_crm_account(client, principal, customer,
                                                                          accountant, org):
    estimate = await f.make_transaction(principal, "estimate", customer)
    invoice = await f.make_sent_invoice(principal, customer, issue_date=date.today() - timedelta(days=40),
                                        due_date=date.today() - timedelta(days=5))
    account = await f.make_account(accountant, name="テスト商事")
    await BooksSyncRecord.create(organization=org, crm_module="accounts", account=account, books_contact=customer)
    page = (await client.get(f"/books/contacts/{customer.id}")).text
    assert f'<a href="/books/estimates/{estimate.id}">{estimate.number}</a>' in page
    assert f'<a href="/books/invoices/{invoice.id}">{invoice.number}</a>' in page
    assert 'id="documents-sales-orders"' in page
    assert text_of(page, "value-outstanding") == "¥11,000" and text_of(page, "value-overdue") == "¥11,000"
    assert f'href="/books/invoices?contact={customer.id}&amp;status=unpaid"' in page
    assert text_of(page, "value-crm-record") == "テスト商事"
    assert f'<a href="/accounts/{account.id}">' in page


async def test_receivables_lead_to_the_invoices_behind_them(client, principal, customer, org):
    other = await f.make_customer(org, display_name="別の会社")
    late = await f.make_sent_invoice(principal, customer, issue_date=date.today() - timedelta(days=70),
                                     due_date=date.today() - timedelta(days=40))
    await f.make_sent_invoice(principal, other)
    page = (await client.get("/books/receivables")).text
    assert f'<a href="/books/contacts/{customer.id}">' in page
    assert f'href="/books/invoices?contact={customer.id}&amp;status=unpaid"' in page
    assert f'href="/books/invoices?contact={customer.id}&amp;status=overdue"' in page
    assert f'href="/books/invoices?contact={other.id}&amp;status=overdue"' not in page  # nothing overdue
    listed = (await client.get(f"/books/invoices?contact={customer.id}&status=overdue")).text
    assert text_of(listed, "result-count") == "1 record" and late.number in listed
    assert "株式会社テスト" in text_of(listed, "filter-party")
    unpaid = (await client.get(f"/books/invoices?contact={other.id}&status=unpaid")).text
    assert text_of(unpaid, "result-count") == "1 record" and late.number not in unpaid


async def test_an_invoice_for_nothing_is_paid_when_sent(client, principal, customer):
    free = await f.make_transaction(principal, "invoice", customer, lines=[
        {"description": "無償対応", "quantity": 1, "rate": 5000, "discount": 100, "tax_rate": 10}])
    assert free.total == 0
    sent = await hx_post(client, f"/books/invoices/{free.id}/mark-sent")
    assert flash_of(await landing(client, sent)) == (
        f"Invoice {free.number} was marked as sent. Nothing is due on it, so it is paid.")
    free = await Transaction.get(id=free.id)
    assert (free.status, free.balance) == (Status.PAID, 0)
    page = (await client.get("/books/receivables")).text
    assert "株式会社テスト" not in page


async def test_an_expired_estimate_says_so_instead_of_asking(client, principal, customer):
    past = date.today() - timedelta(days=30)
    estimate = await f.make_transaction(principal, "estimate", customer, issue_date=past - timedelta(days=10),
                                        due_date=past)
    asked = await client.get(f"/books/estimates/{estimate.id}/convert-to-sales-order")
    assert asked.status_code == 409 and f"The estimate expired on {format_day(past, 'en')}." in asked.text
    assert 'id="confirm-question"' not in asked.text
