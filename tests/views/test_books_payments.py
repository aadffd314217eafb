"""Payments on an invoice's page: an overpayment explained beside the amount, recording updates
the balance and status, voiding gives the amount back; refusals explained."""

from __future__ import annotations

import re

from app.models import Payment, Status, Transaction
from tests import factories as f
from tests.views.conftest import hx_post, post, text_of


async def test_overpayment_then_partial_and_full_payment(client, principal, customer):
    invoice = await f.make_sent_invoice(principal, customer)  # ¥11,000
    page = (await client.get(f"/books/invoices/{invoice.id}")).text
    assert 'id="payment-form"' in page and 'id="amount" name="amount" aria-required="true"' in page
    assert 'value="11000"' in page  # the balance, ready to be paid in full
    url = f"/books/invoices/{invoice.id}/payments"

    over = await hx_post(client, url, {"amount": "20000", "date": "2026-02-01", "mode": "cash", "reference": "振込1"})
    assert over.status_code == 422
    assert over.text.lstrip().startswith('<section class="card panel" id="payments">')
    block = re.search(r'<div class="field field-amount invalid">.*?</div>', over.text, re.S).group(0)
    assert ('<p class="field-error" id="error-amount" role="alert">The payment of ¥20,000 is more than the '
            'balance due of ¥11,000.</p>') in block
    assert 'value="20000"' in block and 'value="振込1"' in over.text and '<option value="cash" selected>' in over.text
    assert not await Payment.exists()

    part = await hx_post(client, url, {"amount": "4,000", "date": "2026-02-01", "mode": "bank_transfer"})
    assert part.headers["HX-Location"] == f"/books/invoices/{invoice.id}"
    page = (await client.get(f"/books/invoices/{invoice.id}")).text
    assert text_of(page, "value-paid") == "¥4,000" and text_of(page, "value-balance") == "¥7,000"
    assert '<span class="status status-partially_paid">Partially paid</span>' in page
    assert "Payment of ¥4,000 recorded." in page

    full = await post(client, url, {"amount": "7000", "date": "2026-02-10", "mode": "bank_transfer"})
    assert full.status_code == 303
    page = (await client.get(f"/books/invoices/{invoice.id}")).text
    assert text_of(page, "value-balance") == "¥0" and '<span class="status status-paid">Paid</span>' in page
    assert 'id="payment-form"' not in page  # nothing left to pay


async def test_void_a_payment(client, principal, customer):
    invoice = await f.make_sent_invoice(principal, customer)
    await post(client, f"/books/invoices/{invoice.id}/payments", {"amount": "11000"})
    payment = await Payment.get(invoice_id=invoice.id)
    page = (await client.get(f"/books/invoices/{invoice.id}")).text
    assert 'hx-confirm="Void this payment? Its amount goes back to the balance due."' in page
    url = f"/books/invoices/{invoice.id}/payments/{payment.id}/void"
    voided = await hx_post(client, url)
    assert voided.headers["HX-Location"] == f"/books/invoices/{invoice.id}"
    invoice = await Transaction.get(id=invoice.id)
    assert (invoice.status, invoice.balance) == (Status.SENT, 11000)
    page = (await client.get(f"/books/invoices/{invoice.id}")).text
    assert f'<tr id="payment-{payment.id}" class="voided">' in page and f'id="void-payment-{payment.id}"' not in page
    again = await hx_post(client, url)
    assert again.status_code == 422 and "This payment is already void." in again.text
    elsewhere = await f.make_sent_invoice(principal, customer)
    assert (await hx_post(client, f"/books/invoices/{elsewhere.id}/payments/{payment.id}/void")).status_code == 404


async def test_draft_invoices_take_no_payments(client, principal, customer):
    draft = await f.make_transaction(principal, "invoice", customer)
    assert 'id="payment-form"' not in (await client.get(f"/books/invoices/{draft.id}")).text
    refused = await hx_post(client, f"/books/invoices/{draft.id}/payments", {"amount": "100"})
    assert refused.status_code == 422
    assert "Send the invoice (or mark it as sent) before recording payments." in refused.text
    plain = await post(client, f"/books/invoices/{draft.id}/payments", {"amount": "100"})
    assert plain.status_code == 409 and "<h1>Invoice" in plain.text
