"""Credit notes on Books pages: "create credit note" on a sent invoice prefills its customer and
lines, the user reduces them; the credit note's page applies credit to open invoices (limits
explained) and refunds the rest; voids give the amounts back; the invoice shows the credit; the
Others menu and the receivables show credit notes."""

from __future__ import annotations

from app.models import CreditApplication, Kind, Refund, Status, Transaction
from app.services import workflow
from tests import factories as f
from tests.views.conftest import hx_post, post, text_of


async def test_create_from_invoice_then_apply_and_refund(client, principal, customer):
    invoice = await f.make_sent_invoice(principal, customer, [("作業", 2, 5000, 10)])  # ¥11,000
    page = (await client.get(f"/books/invoices/{invoice.id}")).text
    assert f'href="/books/credit-notes/new?invoice={invoice.id}"' in page
    form = (await client.get(f"/books/credit-notes/new?invoice={invoice.id}")).text
    assert f'name="invoice_ids" value="{invoice.id}" id="invoice_ids-{invoice.id}" checked' in form
    assert '>作業</textarea>' in form and f'<option value="{customer.id}" selected>' in form

    data = {"invoice_ids": str(invoice.id), "reason": "return", "contact_id": str(customer.id),
            "issue_date": "2026-11-20", "prices_include_tax": "false", "discount_type": "amount",
            "lines-0-description": "作業 返品", "lines-0-quantity": "1", "lines-0-rate": "5000",
            "lines-0-tax_category": "standard"}
    over = await hx_post(client, "/books/credit-notes", {**data, "lines-0-quantity": "3"})
    assert over.status_code == 422 and "The credit of ¥16,500 is more than what the invoices still have to return: ¥11,000." in over.text
    made = await hx_post(client, "/books/credit-notes", data)
    note = await Transaction.get(kind=Kind.CREDIT_NOTE)
    assert made.headers["HX-Location"] == f"/books/credit-notes/{note.id}"
    page = (await client.get(f"/books/credit-notes/{note.id}")).text
    assert "Credit note CN-00001 was created." in page and invoice.number in text_of(page, "value-invoices")
    assert text_of(page, "value-balance") == "¥5,500" and 'id="credit-hint"' in page and 'id="apply-form"' not in page

    await workflow.mark_sent(principal, Kind.CREDIT_NOTE, note.id)
    page = (await client.get(f"/books/credit-notes/{note.id}")).text
    assert f'id="amount-{invoice.id}"' in page
    url = f"/books/credit-notes/{note.id}/apply"
    too_much = await hx_post(client, url, {f"amount-{invoice.id}": "6000"})
    assert too_much.status_code == 422
    assert "The credit of ¥6,000 is more than the remaining credit of ¥5,500." in too_much.text
    applied = await hx_post(client, url, {f"amount-{invoice.id}": "5,000", "date": "2026-11-21"})
    assert applied.headers["HX-Location"] == f"/books/credit-notes/{note.id}"
    page = (await client.get(f"/books/credit-notes/{note.id}")).text
    assert "Credit of ¥5,000 from CN-00001 applied." in page and text_of(page, "value-balance") == "¥500"
    inv_page = (await client.get(f"/books/invoices/{invoice.id}")).text
    assert text_of(inv_page, "value-credited") == "¥5,000" and text_of(inv_page, "value-balance") == "¥6,000"
    assert 'id="invoice-credit-list"' in inv_page and "CN-00001" in inv_page

    over_refund = await hx_post(client, f"/books/credit-notes/{note.id}/refunds", {"amount": "501"})
    assert over_refund.status_code == 422 and "The refund of ¥501 is more than the remaining credit of ¥500." in over_refund.text
    await post(client, f"/books/credit-notes/{note.id}/refunds", {"amount": "500", "mode": "cash"})
    note = await Transaction.get(id=note.id)
    assert (note.status, note.balance) == (Status.CLOSED, 0)
    page = (await client.get(f"/books/credit-notes/{note.id}")).text
    assert "Refund of ¥500 recorded on CN-00001." in page and '<span class="status status-closed">Closed</span>' in page

    refund = await Refund.get(credit_note_id=note.id)
    assert (await hx_post(client, f"/books/credit-notes/{note.id}/refunds/{refund.id}/void")).status_code == 200
    application = await CreditApplication.get(credit_note_id=note.id)
    await hx_post(client, f"/books/credit-notes/{note.id}/applications/{application.id}/void")
    page = (await client.get(f"/books/credit-notes/{note.id}")).text
    assert text_of(page, "value-balance") == "¥5,500" and "Credit of ¥5,000 from CN-00001 voided." in page
    again = await hx_post(client, f"/books/credit-notes/{note.id}/applications/{application.id}/void")
    assert again.status_code == 422 and "This credit application is already void." in again.text


async def test_list_menu_and_receivables(client, principal, customer):
    invoice = await f.make_sent_invoice(principal, customer)
    await f.make_credit_note(principal, [invoice], [("値引", 1, 1000, 10)], sent=True, reason="discount")
    listing = (await client.get("/books/credit-notes")).text
    assert "CN-00001" in listing and 'id="nav-credit-notes"' in listing
    page = (await client.get("/books/receivables")).text
    assert "Unapplied credit" in page and "Net owed" in page and "¥9,900" in page
    overview = (await client.get(f"/books/contacts/{customer.id}")).text
    assert text_of(overview, "value-credit") == "¥1,100"


async def test_prefix_is_edited_with_the_others(signed_in, client):
    me = await signed_in("Administrator")
    org = await f.make_org(me)
    page = (await client.get("/books/settings")).text
    assert 'name="credit_note_prefix"' in page and 'value="CN-"' in page
    numbering = {"estimate_prefix": "EST-", "sales_order_prefix": "SO-", "invoice_prefix": "INV-",
                 "purchase_order_prefix": "PO-", "credit_note_prefix": "返品"}
    bad = await post(client, "/books/settings/numbering", numbering, htmx=True)
    assert bad.status_code == 422 and "Use up to 10 letters, digits, hyphens or slashes." in bad.text
    await post(client, "/books/settings/numbering", {**numbering, "credit_note_prefix": "RET-"})
    await org.refresh_from_db()
    assert org.credit_note_prefix == "RET-"


async def test_home_shows_unapplied_credit_beside_the_outstanding(signed_in, client):
    from tests.views.test_home import block

    me = await signed_in("Administrator")
    org = await f.make_org(me)
    principal = await f.principal_for(me)
    customer = await f.make_customer(org)
    invoice = await f.make_sent_invoice(principal, customer, [("作業", 1, 10000, 10)])
    await f.make_credit_note(principal, [invoice], [("返品", 1, 2000, 10)], sent=True)
    row = (await block(client, "receivables")).split('id="home-receivables-JPY"')[1].split("</tr>")[0]
    assert "¥11,000" in row and '<td class="num credit">¥2,200</td>' in row


async def test_the_form_offers_the_customers_invoices_and_keeps_the_chosen_ones(client, principal, customer, org,
                                                                                 monkeypatch):
    from views.books import credit_form

    old = await f.make_sent_invoice(principal, customer, [("作業", 1, 1000, 10)], issue_date="2025-01-10")
    recent = await f.make_sent_invoice(principal, customer, [("作業", 1, 2000, 10)])
    other = await f.make_sent_invoice(principal, await f.make_customer(org, display_name="他社"))
    draft = await f.make_transaction(principal, "invoice", customer)
    monkeypatch.setattr(credit_form, "OPTION_LIMIT", 2)  # more invoices than a form offers

    def offered(html):
        return {t.id for t in (old, recent, other, draft) if f'name="invoice_ids" value="{t.id}"' in html}

    assert offered((await client.get("/books/credit-notes/new")).text) == {recent.id, other.id}  # newest first
    # from an old invoice: it is offered (checked) with the rest of its customer's, never another's
    form = (await client.get(f"/books/credit-notes/new?invoice={old.id}")).text
    assert offered(form) == {old.id, recent.id}
    assert f'value="{old.id}" id="invoice_ids-{old.id}" checked' in form
    made = await post(client, "/books/credit-notes", {
        "invoice_ids": str(old.id), "reason": "return", "contact_id": str(customer.id), "issue_date": "2026-11-20",
        "prices_include_tax": "false", "discount_type": "amount", "lines-0-description": "返品",
        "lines-0-quantity": "1", "lines-0-rate": "500", "lines-0-tax_category": "standard"})
    assert made.status_code == 303
    note = await Transaction.get(kind=Kind.CREDIT_NOTE)
    # the edit form still has the old invoice, chosen, so saving it keeps the reference
    edit = (await client.get(f"/books/credit-notes/{note.id}/edit")).text
    assert offered(edit) == {old.id, recent.id} and f'value="{old.id}" id="invoice_ids-{old.id}" checked' in edit


async def test_choosing_another_customer_offers_that_customers_invoices(client, principal, customer, org):
    from tests.views.conftest import HX

    mine = await f.make_sent_invoice(principal, customer)
    theirs = await f.make_sent_invoice(principal, await f.make_customer(org, display_name="他社"))
    form = (await client.get("/books/credit-notes/new")).text
    assert 'hx-get="/books/credit-notes/invoices" hx-trigger="change from:#contact_id"' in form
    fetched = await client.get("/books/credit-notes/invoices",
                               params={"contact_id": theirs.contact_id, "invoice_ids": [mine.id, theirs.id]}, headers=HX)
    assert fetched.status_code == 200 and fetched.text.lstrip().startswith("<div id=\"credit-invoices\"")
    assert f'value="{theirs.id}" id="invoice_ids-{theirs.id}" checked' in fetched.text
    assert f'value="{mine.id}"' not in fetched.text  # the other customer's invoice is no longer offered
    for hostile in ({"contact_id": "\x00", "invoice_ids": ["x" * 5000]}, {"contact_id": "1 OR 1=1"},
                    {"invoice_ids": [str(n) for n in range(2_000)]}):
        assert (await client.get("/books/credit-notes/invoices", params=hostile, headers=HX)).status_code == 200
