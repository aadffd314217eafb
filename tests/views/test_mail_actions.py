"""The e-mail actions menu through HTTP: the closed partial, the menu loaded on demand, and each
action's answer (the menu with a message, 422 with the errors, HX-Location to a new draft)."""

from __future__ import annotations

import re
from types import SimpleNamespace

from app.models import Case, CaseAttachment, Comment, ContactComment, EmailDeal, Lead, Transaction
from app.permissions import Principal
from tests import factories as f
from tests.views.conftest import HX, hx_post, post
from views.templating import templates

PDF = b"%PDF-1.4\n%%EOF\n"


async def _setup(user):
    """The signed-in user's mail from a known contact who is also a Books customer's person."""
    org = await f.make_org(user)
    p = await Principal.load(user)
    customer = await f.make_customer(org, persons=[{"last_name": "山田", "email": "yamada@example.jp"}])
    box = await f.make_mailbox(user)
    email = await f.make_email(box, sender="山田 太郎 <yamada@example.jp>", to=(user.email,), subject="お見積り",
                               text="よろしくお願いします。", attachments=(("依頼.pdf", "application/pdf", PDF),))
    contact = await f.make_contact(user, email="yamada@example.jp", last_name="山田", first_name="太郎")
    return SimpleNamespace(org=org, p=p, customer=customer, email=email, contact=contact)


def test_the_partial_needs_only_the_email_and_loads_the_menu_when_opened():
    request = SimpleNamespace(state=SimpleNamespace(lang="en"))
    html = templates.get_template("mail/_actions.html").render(request=request, email=SimpleNamespace(id=42))
    assert 'hx-get="/mail/42/actions"' in html and 'hx-trigger="toggle once"' in html
    assert 'id="mail-menu-42"' in html and 'href="/mail/42/actions"' in html  # works without htmx too
    assert "<script" not in html and "style=" not in html


async def test_the_menu_offers_the_emails_deals_documents_and_actions(client, signed_in):
    me = await signed_in("Administrator")
    s = await _setup(me)
    deal = await f.make_deal(me, [s.contact], name="大型案件")
    invoice = await f.make_sent_invoice(s.p, s.customer)
    # Deals are offered only where seed 004 offers them: a contact's or deal's list, the e-mail page.
    elsewhere = await client.get(f"/mail/{s.email.id}/actions", headers=HX)
    assert elsewhere.status_code == 200 and "大型案件" not in elsewhere.text
    assert "Associate with a new deal" not in elsewhere.text and invoice.number in elsewhere.text
    fragment = await client.get(f"/mail/{s.email.id}/actions?association=1", headers=HX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    for text in ("大型案件", invoice.number, "依頼.pdf", "Add e-mail to", "Contact activity",
                 "Associate with a new deal", "Create a lead from the sender", "Add as a case"):
        assert text in fragment.text, text
    assert f'value="{deal.id}"' in fragment.text
    page = await client.get(f"/mail/{s.email.id}/actions")
    assert page.status_code == 200 and "<html" in page.text and "お見積り" in page.text


async def test_mail_of_others_is_not_found(client, signed_in):
    owner = await f.make_user("Sales")
    box = await f.make_mailbox(owner)
    email = await f.make_email(box, sender="x@example.jp", to=(owner.email,))
    await signed_in("Administrator")
    assert (await client.get(f"/mail/{email.id}/actions", headers=HX)).status_code == 404
    assert (await hx_post(client, f"/mail/{email.id}/lead")).status_code == 404
    assert not await Lead.exists()
    assert (await client.get("/mail/99999999999/actions")).status_code == 404  # beyond the id column


async def test_associate_change_and_dissociate(client, signed_in):
    me = await signed_in("Sales")
    s = await _setup(me)
    first = await f.make_deal(me, [s.contact], name="一件目")
    second = await f.make_deal(me, [s.contact], name="二件目")
    url = f"/mail/{s.email.id}"
    answer = await hx_post(client, f"{url}/deal", {"deal_id": str(first.id), "association": "1"})
    assert answer.status_code == 200 and "The e-mail is associated with the deal “一件目”." in answer.text
    assert "Dissociate" in answer.text and "Change the deal" in answer.text
    assert (await EmailDeal.get(email_id=s.email.id)).deal_id == first.id
    await hx_post(client, f"{url}/deal", {"deal_id": str(second.id), "association": "1"})
    assert (await EmailDeal.get(email_id=s.email.id)).deal_id == second.id
    answer = await hx_post(client, f"{url}/deal/dissociate", {"association": "1"})
    assert "no longer associated" in answer.text and not await EmailDeal.exists(email_id=s.email.id)
    refused = await hx_post(client, f"{url}/deal", {"deal_id": str((await f.make_deal(me)).id)})
    assert refused.status_code == 422 and "Choose one of the deals of the e-mail&#39;s contacts." in refused.text


async def test_new_deal_on_the_spot_and_its_errors(client, signed_in):
    me = await signed_in("Sales")
    s = await _setup(me)
    url = f"/mail/{s.email.id}/deal/new"
    refused = await hx_post(client, url, {"name": "", "amount": "abc", "contact_id": str(s.contact.id),
                                          "association": "1"})
    assert refused.status_code == 422 and "This field is required." in refused.text
    assert re.search(r'<details class="mail-new-deal" open>', refused.text)
    created = await hx_post(client, url, {"name": "新規", "amount": "1000", "contact_id": str(s.contact.id)})
    assert created.status_code == 200 and "Deal “新規” created" in created.text
    link = await EmailDeal.get(email_id=s.email.id)
    assert link.automatic is False


async def test_add_to_an_invoice_shows_in_its_comments(client, signed_in):
    me = await signed_in("Administrator")
    s = await _setup(me)
    invoice = await f.make_sent_invoice(s.p, s.customer)
    answer = await hx_post(client, f"/mail/{s.email.id}/add-to", {"target": f"transaction:{invoice.id}"})
    assert answer.status_code == 200 and f"Added to {invoice.number} as a comment." in answer.text
    page = await client.get(f"/books/invoices/{invoice.id}")
    assert "よろしくお願いします。" in page.text and "comment-email-head" in page.text
    assert "E-mail “お見積り” added as a comment." in page.text
    again = await hx_post(client, f"/mail/{s.email.id}/add-to", {"target": f"transaction:{invoice.id}"})
    assert again.status_code == 422 and "already on this document" in again.text
    assert await Comment.filter(transaction_id=invoice.id, action="email").count() == 1
    bad = await hx_post(client, f"/mail/{s.email.id}/add-to", {"target": "nonsense"})
    assert bad.status_code == 422


async def test_add_to_contact_activity(client, signed_in):
    me = await signed_in("Sales")
    s = await _setup(me)
    answer = await hx_post(client, f"/mail/{s.email.id}/add-to", {"target": f"contact:{s.contact.id}"})
    assert "Added to the activity of 山田 太郎." in answer.text
    assert await ContactComment.filter(contact_id=s.contact.id, email_id=s.email.id).exists()


async def test_attachment_menu(client, signed_in):
    me = await signed_in("Administrator")
    s = await _setup(me)
    attachment = (await s.email.attachments.all())[0]
    estimate = await f.make_transaction(s.p, "estimate", s.customer)
    base = f"/mail/{s.email.id}/attachments/{attachment.id}"
    answer = await hx_post(client, f"{base}/documents", {"books_contact_id": str(s.customer.id)})
    assert "“依頼.pdf” added to the contact&#39;s documents." in answer.text
    answer = await hx_post(client, f"{base}/transaction", {"transaction_id": str(estimate.id)})
    assert f"“依頼.pdf” attached to {estimate.number}." in answer.text
    created = await hx_post(client, f"{base}/new-transaction",
                            {"kind": "invoice", "books_contact_id": str(s.customer.id)})
    txn = await Transaction.filter(kind="invoice").get()
    assert created.headers["HX-Location"] == f"/books/invoices/{txn.id}/edit"
    plain = await post(client, f"{base}/new-transaction", {"kind": "estimate", "books_contact_id": str(s.customer.id)})
    assert plain.status_code == 303 and plain.headers["location"].endswith("/edit")
    refused = await hx_post(client, f"{base}/new-transaction", {"kind": "purchase_order",
                                                                "books_contact_id": str(s.customer.id)})
    assert refused.status_code == 422 and f'id="mail-attachment-{attachment.id}"' in refused.text


async def test_link_to_a_record_found_by_search(client, signed_in):
    me = await signed_in("Sales")
    s = await _setup(me)
    lead = await f.make_lead(me, last_name="佐藤", first_name="花子", email="hanako@example.jp")
    options = await client.get(f"/mail/{s.email.id}/records", params={"record_type": "lead", "q": "佐藤"}, headers=HX)
    assert f'<option value="{lead.id}">佐藤 花子 &lt;hanako@example.jp&gt;</option>' in options.text
    nothing = await client.get(f"/mail/{s.email.id}/records", params={"record_type": "lead", "q": "\x00" * 5000})
    assert nothing.status_code == 200 and "No record found" in nothing.text
    answer = await hx_post(client, f"/mail/{s.email.id}/link", {"record_type": "lead", "record_id": str(lead.id)})
    assert "The e-mail was added to 佐藤 花子." in answer.text
    missing = await hx_post(client, f"/mail/{s.email.id}/link", {"record_type": "lead", "record_id": ""})
    assert missing.status_code == 422


async def test_lead_contact_and_case_from_the_email(client, signed_in):
    me = await signed_in("Sales")
    s = await _setup(me)
    await s.contact.delete()
    url = f"/mail/{s.email.id}"
    assert "Lead “山田 太郎” created." in (await hx_post(client, f"{url}/lead")).text
    assert "Contact “山田 太郎” created." in (await hx_post(client, f"{url}/contact")).text
    again = await hx_post(client, f"{url}/contact")
    assert again.status_code == 422 and "already exists" in again.text
    answer = await hx_post(client, f"{url}/case", {"status": "escalated", "include_attachments": "1"})
    assert "Case “お見積り” created." in answer.text
    case = await Case.get()
    assert case.status == "escalated" and case.description == "よろしくお願いします。"
    assert await CaseAttachment.filter(case_id=case.id).values_list("filename", flat=True) == ["依頼.pdf"]
    plain = await post(client, f"{url}/case", {"status": "new"})
    assert plain.status_code == 303 and plain.headers["location"] == f"{url}/actions"


async def test_unsafe_requests_need_the_csrf_token(client, signed_in):
    me = await signed_in("Sales")
    s = await _setup(me)
    answer = await client.post(f"/mail/{s.email.id}/lead", headers=HX)
    assert answer.status_code == 403 and not await Lead.exists()


async def test_the_menu_speaks_japanese(client, signed_in):
    me = await signed_in("Administrator", language="ja")
    s = await _setup(me)
    await f.make_sent_invoice(s.p, s.customer)
    fragment = (await client.get(f"/mail/{s.email.id}/actions", headers=HX)).text
    for text in ("メールの追加先", "連絡先の活動", "商談", "見込み客"):
        assert text in fragment, text


async def test_hostile_values_answer_the_menu_with_errors(client, signed_in):
    """NUL, lone surrogates, numbers and dates beyond the columns, ids beyond the key range: the
    menu again with messages (422), never a 500, and nothing written."""
    me = await signed_in("Administrator")
    s = await _setup(me)
    url = f"/mail/{s.email.id}"
    posts = [
        (f"{url}/deal/new", {"name": "a\x00b", "amount": "1e999999", "closing_date": "9999-12-31",
                             "stage_id": "99999999999999", "contact_id": str(s.contact.id)}),
        (f"{url}/deal/new", {"name": "x" * 100_000, "contact_id": "-1"}),
        (f"{url}/deal", {"deal_id": "99999999999999999999"}),
        (f"{url}/add-to", {"target": "transaction:99999999999999999999"}),
        (f"{url}/add-to", {"target": "contact:\x00"}),
        (f"{url}/link", {"record_type": "x" * 10_000, "record_id": "1"}),
        (f"{url}/case", {"status": "\x00"}),
    ]
    for path, data in posts:
        answer = await hx_post(client, path, data)
        assert answer.status_code in (404, 422), (path, data, answer.status_code)
    assert not await EmailDeal.exists() and not await Case.exists() and not await Comment.filter(action="email")
