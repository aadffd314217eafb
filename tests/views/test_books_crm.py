"""Books inside the CRM, on the pages: the Books panel of account, contact and deal pages (lazy,
refreshed in place), the document and its PDF reached from it, "New estimate" with the customer
filled in, e-mail as PDF; the permission walk (no grant, view, create_edit, email; a record the
user may not see), the link disabled and enabled again, and a switched organization."""

from __future__ import annotations

import re

import pytest

from app.models import BooksContact, BooksSyncRecord, DealDocument, Kind, Status, Transaction
from app.services import books_link
from tests import factories as f
from tests.books_crm_world import WALK, World, link_record, make_crm_user, make_world, switch
from tests.smtp import RecordingHandler, running
from tests.views.conftest import HX, login, post


@pytest.fixture
async def world(db) -> World:
    return await make_world()


@pytest.fixture
async def crm(world):
    """A seller's account, contact and deal, linked to Sakura's customers with documents; the
    same account linked in Tsubaki too (shown only once the link switches there)."""
    # Books customers may be viewed too, as the Sales role's may: still no link into Books' pages.
    seller = await make_crm_user(WALK["create_edit"] | WALK["email"] | WALK["view"] | {("books_contacts", "view")},
                                 name="営業 一郎")
    account = await f.make_account(seller, name="株式会社さくら商事")
    contact = await f.make_contact(seller, account=account, last_name="佐藤", first_name="花子",
                                   email="sato@sakura.example.jp")
    deal = await f.make_deal(seller, account=account, contacts=[contact], name="さくら案件")
    books = world.keeper_principal
    customer = await f.make_customer(world.sakura, display_name="さくら商事（Books）")
    await link_record(world.sakura, account, customer)
    estimate = await f.make_transaction(books, "estimate", customer)
    order = await f.make_transaction(books, "sales_order", customer)
    invoice = await f.make_sent_invoice(books, customer, [("作業費", 1, 10000, 10)])
    deal_estimate = await f.make_transaction(books, "estimate", customer, subject="案件見積")
    await DealDocument.create(deal=deal, organization=world.sakura, kind="estimate", txn=deal_estimate)
    person_customer = await f.make_customer(world.sakura, display_name="佐藤 花子（Books）")
    await link_record(world.sakura, contact, person_customer)
    contact_invoice = await f.make_transaction(books, "invoice", person_customer)
    elsewhere = await f.make_customer(world.tsubaki, display_name="つばき側の顧客")
    await link_record(world.tsubaki, account, elsewhere)
    other_invoice = await f.make_transaction(books, "invoice", elsewhere)
    return {"seller": seller, "account": account, "contact": contact, "deal": deal, "customer": customer,
            "estimate": estimate, "order": order, "invoice": invoice, "deal_estimate": deal_estimate,
            "contact_invoice": contact_invoice, "other_invoice": other_invoice}


def numbers(html: str) -> set[str]:
    return set(re.findall(r'class="number">([^<]+)<', html))


async def as_user(client, grants: set, **kw):
    user = await make_crm_user(grants, sees_all=kw.pop("sees_all", True), **kw)
    assert (await login(client, user)).status_code == 303
    return user


async def test_the_record_pages_load_the_panel_and_the_panel_lists_the_records_documents(client, crm):
    await login(client, crm["seller"])
    account = crm["account"]
    page = await client.get(f"/accounts/{account.id}")
    assert f'hx-get="/accounts/{account.id}/books" hx-trigger="revealed"' in page.text
    panel = await client.get(f"/accounts/{account.id}/books", headers=HX)
    assert panel.status_code == 200
    assert numbers(panel.text) == {crm["estimate"].number, crm["order"].number, crm["invoice"].number,
                                   crm["deal_estimate"].number}
    invoice = crm["invoice"]
    assert f'href="/accounts/{account.id}/books/invoices/{invoice.id}.pdf"' in panel.text
    assert f'href="/accounts/{account.id}/books/invoices/{invoice.id}"' in panel.text
    row = panel.text.split(f'id="books-invoice-{invoice.id}"')[1].split("</tr>")[0]
    assert "¥11,000" in row and "payment-unpaid" in row
    # New from an account; the refresh reloads the list alone
    assert 'id="books-new-estimate"' in panel.text and 'id="books-new-invoice"' in panel.text
    refreshed = await client.get(f"/accounts/{account.id}/books", headers={**HX, "HX-Target": "books-list"})
    assert "<section" not in refreshed.text and numbers(refreshed.text) == numbers(panel.text)

    contact_panel = await client.get(f"/contacts/{crm['contact'].id}/books", headers=HX)
    assert numbers(contact_panel.text) == {crm["contact_invoice"].number}
    deal_panel = await client.get(f"/deals/{crm['deal'].id}/books", headers=HX)
    assert numbers(deal_panel.text) == {crm["deal_estimate"].number}
    assert "books-new-" not in deal_panel.text  # not from a deal page
    deal_page = await client.get(f"/deals/{crm['deal'].id}")
    assert f'hx-get="/deals/{crm["deal"].id}/books"' in deal_page.text


async def test_a_document_page_and_its_pdf_through_the_link(client, crm):
    await login(client, crm["seller"])
    base = f"/accounts/{crm['account'].id}/books/invoices/{crm['invoice'].id}"
    page = await client.get(base)
    assert page.status_code == 200
    assert crm["invoice"].number in page.text and 'id="edit-record"' not in page.text
    assert "/books/organization/switcher" not in page.text  # the seller's own header: not a member
    # the customer is named, not linked to the Books customer page a non-member cannot open
    assert "さくら商事（Books）" in page.text and 'href="/books/contacts/' not in page.text
    assert f'href="{base}/send"' in page.text and f'href="{base}.pdf"' in page.text
    pdf = await client.get(base + ".pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # a document of another record, of another kind, or of the deal reached from the account: 404
    assert (await client.get(f"/accounts/{crm['account'].id}/books/invoices/{crm['contact_invoice'].id}")).status_code == 404
    assert (await client.get(f"/accounts/{crm['account'].id}/books/estimates/{crm['invoice'].id}.pdf")).status_code == 404
    assert (await client.get(f"/accounts/{crm['account'].id}/books/invoices/{crm['other_invoice'].id}.pdf")).status_code == 404
    deal_doc = f"/deals/{crm['deal'].id}/books/estimates/{crm['deal_estimate'].id}"
    assert (await client.get(deal_doc)).status_code == 200
    assert (await client.get(f"/deals/{crm['deal'].id}/books/estimates/{crm['estimate'].id}")).status_code == 404


@pytest.mark.parametrize("walk", ["none", "view", "create_edit", "email"])
async def test_the_permission_walk(client, crm, walk):
    await as_user(client, WALK[walk])
    account, invoice = crm["account"], crm["invoice"]
    panel = await client.get(f"/accounts/{account.id}/books", headers=HX)
    page = await client.get(f"/accounts/{account.id}")
    doc = f"/accounts/{account.id}/books/invoices/{invoice.id}"
    if walk == "none":  # no invoice view grant: the integration is nowhere
        assert panel.status_code == 200 and panel.text == ""
        assert '/books" hx-trigger' not in page.text
        for url in (doc, doc + ".pdf", doc + "/send"):
            assert (await client.get(url)).status_code == 404
        assert (await post(client, f"/accounts/{account.id}/books/estimates/new")).status_code == 404
        return
    assert invoice.number in panel.text
    assert (await client.get(doc)).status_code == 200
    assert (await client.get(doc + ".pdf")).status_code == 200
    assert ('id="receivables"' in panel.text) == (walk == "view")  # receivables.view in that walk only
    assert ('id="books-new-estimate"' in panel.text) == (walk == "create_edit")
    new = await post(client, f"/accounts/{account.id}/books/estimates/new")
    assert new.status_code == (200 if walk == "create_edit" else 403)
    send = await client.get(doc + "/send")
    assert send.status_code == (200 if walk == "email" else 403)
    assert (f'href="{doc}/send"' in (await client.get(doc)).text) == (walk == "email")


async def test_a_record_the_user_may_not_see_shows_no_books_data(client, crm):
    await as_user(client, WALK["view"] | WALK["email"], sees_all=False)  # not the seller's records
    account, invoice = crm["account"], crm["invoice"]
    base = f"/accounts/{account.id}/books"
    assert (await client.get(base, headers=HX)).status_code == 404
    for url in (f"{base}/invoices/{invoice.id}", f"{base}/invoices/{invoice.id}.pdf", f"{base}/invoices/{invoice.id}/send"):
        assert (await client.get(url)).status_code == 404
    assert (await client.get(f"/deals/{crm['deal'].id}/books/estimates/{crm['deal_estimate'].id}.pdf")).status_code == 404


async def test_sales_orders_only_in_the_books_edition(client, crm, world):
    await login(client, crm["seller"])
    world.sakura.edition = "invoice"  # not the Books edition
    await world.sakura.save()
    panel = await client.get(f"/accounts/{crm['account'].id}/books", headers=HX)
    assert crm["order"].number not in panel.text and crm["invoice"].number in panel.text
    assert 'id="books-new-sales_order"' not in panel.text
    url = f"/accounts/{crm['account'].id}/books/sales-orders/{crm['order'].id}"
    assert (await client.get(url)).status_code == 404


async def test_disabled_shows_nothing_and_enabled_again_restores(client, crm, world):
    await login(client, crm["seller"])
    account, invoice = crm["account"], crm["invoice"]
    doc = f"/accounts/{account.id}/books/invoices/{invoice.id}"
    await books_link.set_enabled(world.crm_admin, False)
    assert (await client.get(f"/accounts/{account.id}/books", headers=HX)).text == ""
    assert (await client.get(doc)).status_code == 404
    assert (await client.get(doc + ".pdf")).status_code == 404
    await books_link.set_enabled(world.crm_admin, True)
    assert invoice.number in (await client.get(f"/accounts/{account.id}/books", headers=HX)).text
    assert (await client.get(doc)).status_code == 200


async def test_a_switched_organization_shows_none_of_the_previous_ones(client, crm, world):
    await login(client, crm["seller"])
    account = crm["account"]
    await switch(world, world.tsubaki)
    panel = await client.get(f"/accounts/{account.id}/books", headers=HX)
    assert numbers(panel.text) == {crm["other_invoice"].number}
    assert (await client.get(f"/accounts/{account.id}/books/invoices/{crm['invoice'].id}")).status_code == 404
    assert (await client.get(f"/deals/{crm['deal'].id}/books", headers=HX)).text.count('class="number"') == 0


async def test_new_estimate_from_an_account_with_the_customer_filled_in(client, crm, world):
    await login(client, crm["seller"])
    account, customer = crm["account"], crm["customer"]
    form = await post(client, f"/accounts/{account.id}/books/estimates/new")
    assert form.status_code == 200
    assert f'<option value="{customer.id}" selected' in form.text
    other_customer = await f.make_customer(world.sakura, display_name="ほかの顧客")
    form = await post(client, f"/accounts/{account.id}/books/estimates/new")
    assert "ほかの顧客" not in form.text  # the record's own customers only
    action = f"/accounts/{account.id}/books/estimates"
    assert f'action="{action}"' in form.text
    created = await post(client, action, {"contact_id": str(customer.id), "issue_date": "2026-11-02",
                                          "lines-0-description": "設計", "lines-0-quantity": "2",
                                          "lines-0-rate": "5000", "lines-0-tax_rate": "10"})
    assert created.status_code == 303
    txn = await Transaction.filter(kind=Kind.ESTIMATE, subject="", organization_id=world.sakura.id).order_by("-id").first()
    assert created.headers["location"] == f"{action}/{txn.id}"
    assert txn.contact_id == customer.id and txn.total == 11000
    # another customer than the record's is refused, nothing written
    stranger = other_customer
    before = await Transaction.all().count()
    refused = await post(client, action, {"contact_id": str(stranger.id), "lines-0-description": "x",
                                          "lines-0-quantity": "1", "lines-0-rate": "1", "lines-0-tax_rate": "10"})
    assert refused.status_code == 422 and await Transaction.all().count() == before
    # the line editor acts through the link too
    line = await client.get(f"{action}/lines/new?index=3")
    assert line.status_code == 200 and 'name="lines-3-description"' in line.text
    # not from a deal page
    assert (await post(client, f"/deals/{crm['deal'].id}/books/estimates/new")).status_code == 404


async def test_new_invoice_from_an_unlinked_contact_syncs_its_customer_on_the_spot(client, crm, world):
    await login(client, crm["seller"])
    contact = await f.make_contact(crm["seller"], last_name="新規", first_name="顧客", email="new@example.jp")
    form = await post(client, f"/contacts/{contact.id}/books/invoices/new")
    assert form.status_code == 200
    row = await BooksSyncRecord.get(organization_id=world.sakura.id, contact_id=contact.id)
    assert f'<option value="{row.books_contact_id}" selected' in form.text
    assert (await BooksContact.get(id=row.books_contact_id)).organization_id == world.sakura.id


async def test_email_as_pdf_offers_the_crm_contact_and_sends(client, crm, world):
    await login(client, crm["seller"])
    contact, invoice = crm["contact"], crm["contact_invoice"]
    url = f"/contacts/{contact.id}/books/invoices/{invoice.id}/send"
    form = await client.get(url)
    assert form.status_code == 200
    assert 'value="sato@sakura.example.jp"' in form.text  # the CRM contact
    person = (await (await BooksContact.get(id=invoice.contact_id)).persons.all())[0]
    assert f'value="{person.email}"' in form.text  # the Books contact person
    org = world.sakura
    with running(RecordingHandler()) as server:
        org.smtp_host, org.smtp_port, org.smtp_security, org.sender_email = "127.0.0.1", server.port, "none", "books@example.jp"
        await org.save()
        sent = await post(client, url, {"to": "sato@sakura.example.jp", "cc": "", "subject": "請求書",
                                        "body": "ご確認ください"})
        assert sent.status_code == 303, sent.text
        assert server.envelopes[0].rcpt_tos == ["sato@sakura.example.jp"]
    assert (await Transaction.get(id=invoice.id)).status == Status.SENT
    # a stranger's address is not a recipient
    refused = await post(client, url, {"to": "someone@else.example", "subject": "x", "body": "y"})
    assert refused.status_code == 422
