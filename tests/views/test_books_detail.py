"""A transaction's page: lines, per-rate taxes and totals; the buttons its status allows and what
they do (refusals explained without leaving the page); conversions linked both ways; notes."""

from __future__ import annotations

from datetime import timedelta

from app.formatting import format_day
from app.models import Comment, Membership, Status, Transaction
from app.services import payments, transactions
from tests import factories as f
from tests.views.conftest import hx_post, login, post, text_of

LINES = [("コンサルティング", 2, 5000, 10), ("お弁当", 3, 800, 8)]


async def test_detail_shows_lines_per_rate_taxes_and_totals(client, principal, customer):
    invoice = await f.make_transaction(principal, "invoice", customer, LINES, reference="発注123",
                                       subject="10月分", notes="毎度ありがとうございます。")
    page = await client.get(f"/books/invoices/{invoice.id}")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Invoice INV-00001" in html and '<span class="status status-draft">Draft</span>' in html
    assert f'<a href="/books/contacts/{customer.id}">株式会社テスト</a>' in html
    assert "コンサルティング" in html and "お弁当" in html and "8% (reduced)" in html
    assert text_of(html, "sum-subtotal") == "¥12,400"
    assert text_of(html, "sum-10-subtotal") == "¥10,000" and text_of(html, "sum-10-tax") == "¥1,000"
    assert text_of(html, "sum-8-subtotal") == "¥2,400" and text_of(html, "sum-8-tax") == "¥192"
    assert text_of(html, "sum-total") == "¥13,592" and text_of(html, "value-balance") == "¥13,592"
    assert text_of(html, "value-reference") == "発注123" and "毎度ありがとうございます。" in html
    assert f'href="/books/invoices/{invoice.id}.pdf"' in html and 'id="edit-record"' in html
    assert "Created." in html  # the history


async def test_buttons_follow_the_status_and_the_grants(client, principal, customer, org):
    estimate = await f.make_transaction(principal, "estimate", customer)
    html = (await client.get(f"/books/estimates/{estimate.id}")).text
    assert 'id="action-mark-sent"' in html and 'id="action-accept"' not in html
    assert 'id="action-convert-to-sales-order"' in html and 'id="action-convert-to-invoice"' in html
    org.edition = "invoice"
    await org.save()
    html = (await client.get(f"/books/estimates/{estimate.id}")).text
    assert 'id="action-convert-to-sales-order"' not in html and 'id="action-convert-to-invoice"' in html

    invoice = await f.make_transaction(principal, "invoice", customer)
    sales = await f.make_user("Sales")  # may read invoices, not change them
    await Membership.create(organization=org, user=sales)
    await login(client, sales)
    html = (await client.get(f"/books/invoices/{invoice.id}")).text
    assert 'type="submit" id="action-' not in html and 'id="edit-record"' not in html and 'id="note-form"' not in html
    assert (await post(client, f"/books/invoices/{invoice.id}/mark-sent")).status_code == 403


async def test_estimate_sent_accepted_and_converted(client, principal, customer):
    estimate = await f.make_transaction(principal, "estimate", customer, LINES)
    sent = await hx_post(client, f"/books/estimates/{estimate.id}/mark-sent")
    assert sent.headers["HX-Location"] == f"/books/estimates/{estimate.id}"
    accepted = await post(client, f"/books/estimates/{estimate.id}/accept")
    assert accepted.status_code == 303
    assert (await Transaction.get(id=estimate.id)).status == Status.ACCEPTED
    page = (await client.get(f"/books/estimates/{estimate.id}")).text
    assert "Accepted" in page and "Marked as sent." in page and "Marked as accepted." in page

    converted = await hx_post(client, f"/books/estimates/{estimate.id}/convert-to-invoice")
    invoice = await Transaction.get(source_id=estimate.id)
    assert converted.headers["HX-Location"] == f"/books/invoices/{invoice.id}"
    page = (await client.get(f"/books/invoices/{invoice.id}")).text
    assert f'Converted from <a href="/books/estimates/{estimate.id}">EST-00001</a>' in page
    assert text_of(page, "sum-total") == "¥13,592"
    page = (await client.get(f"/books/estimates/{estimate.id}")).text
    assert f'Converted to <a href="/books/invoices/{invoice.id}">INV-00001</a>' in page


async def test_refused_actions_are_explained_on_the_page(client, principal, customer):
    invoice = await f.make_sent_invoice(principal, customer)
    await payments.record_payment(principal, invoice.id, {"amount": "1000"})
    refused = await hx_post(client, f"/books/invoices/{invoice.id}/void")
    assert refused.status_code == 422  # htmx swaps it into the page's message area
    assert refused.text.strip() == '<p class="alert" role="alert" id="problem">This invoice has payments: void them first.</p>'
    plain = await post(client, f"/books/invoices/{invoice.id}/void")
    assert plain.status_code == 409
    assert "<h1>Invoice INV-00001" in plain.text and "This invoice has payments: void them first." in plain.text
    assert (await Transaction.get(id=invoice.id)).status == Status.PARTIALLY_PAID

    today = transactions.today_in(principal)
    estimate = await f.make_transaction(principal, "estimate", customer, issue_date=today - timedelta(days=40))
    await post(client, f"/books/estimates/{estimate.id}/mark-sent")
    late = await hx_post(client, f"/books/estimates/{estimate.id}/accept")
    assert f"The estimate expired on {format_day(estimate.due_date, 'en')}." in late.text  # the reader's way
    again = await hx_post(client, f"/books/estimates/{estimate.id}/mark-sent")
    assert "This estimate is “Sent”: it cannot be marked as sent." in again.text


async def test_void_with_the_confirmation(client, principal, org):
    vendor = await f.make_customer(org, contact_type="vendor", display_name="仕入先")
    order = await f.make_transaction(principal, "purchase_order", vendor)
    page = (await client.get(f"/books/purchase-orders/{order.id}")).text
    assert 'hx-confirm="Void this document? It keeps its number and stays on record as void."' in page
    assert 'id="action-close"' not in page  # a draft is sent before it is closed
    voided = await post(client, f"/books/purchase-orders/{order.id}/void")
    assert voided.status_code == 303
    page = (await client.get(f"/books/purchase-orders/{order.id}")).text
    assert '<span class="status status-void">Void</span>' in page and 'type="submit" id="action-' not in page
    assert 'id="edit-record"' not in page


async def test_notes_append_under_the_history(client, principal, customer):
    invoice = await f.make_transaction(principal, "invoice", customer)
    url = f"/books/invoices/{invoice.id}/comments"
    empty = await hx_post(client, url, {"text": "  "})
    assert empty.status_code == 422
    assert empty.headers["HX-Retarget"] == "#note-form"
    assert '<p class="field-error" id="error-text" role="alert">This field is required.</p>' in empty.text
    added = await hx_post(client, url, {"text": "電話で確認済み"})
    assert added.status_code == 200
    assert added.text.lstrip().startswith('<li class="comment comment-note"')
    assert "電話で確認済み" in added.text and "経理 花子" in added.text
    assert 'id="note-form"' in added.text and 'hx-swap-oob="true"' in added.text  # a fresh form
    plain = await post(client, url, {"text": "二件目"})
    assert plain.status_code == 303 and plain.headers["location"].endswith("#comments")
    assert await Comment.filter(transaction_id=invoice.id, kind="note").count() == 2
    page = (await client.get(f"/books/invoices/{invoice.id}")).text
    assert page.index("Created.") < page.index("電話で確認済み") < page.index("二件目")
