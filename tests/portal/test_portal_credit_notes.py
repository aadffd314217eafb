"""Credit notes in the customer portal: the customer opens a sent one by its link (it becomes
viewed) and sees the invoices it credits, the amounts per rate and the remaining credit; the
signed-in customer finds it among their documents; a draft stays hidden."""

from __future__ import annotations

from app.models import Kind, Status, Transaction
from app.services import credit_applications, workflow
from tests import factories as f
from tests.portal.conftest import smtp_on
from tests.portal.test_portal import sign_in


async def test_the_customer_sees_the_credit_note(client, org, principal, invoice, customer, smtp_server):
    draft = await f.make_credit_note(principal, [invoice], [("返品", 1, 10000, 10)])
    assert (await client.get(f"/portal/{draft.portal_token}")).status_code == 404
    note = await workflow.mark_sent(principal, Kind.CREDIT_NOTE, draft.id)
    await credit_applications.apply_credit(principal, note.id, [{"invoice_id": invoice.id, "amount": 5000}])
    page = await client.get(f"/portal/{note.portal_token}")  # in the organization's language
    assert page.status_code == 200
    assert "適格返還請求書 CN-00001" in page.text and invoice.number in page.text and 'id="credited-invoices"' in page.text
    assert "¥11,000" in page.text and "¥1,000" in page.text  # total, 10% tax
    assert 'id="remaining-credit"' in page.text and "¥6,000" in page.text
    assert (await Transaction.get(id=note.id)).status == Status.VIEWED
    invoice_page = await client.get(f"/portal/{invoice.portal_token}")
    assert 'id="credit-applied"' in invoice_page.text and "¥5,000" in invoice_page.text
    pdf = await client.get(f"/portal/{note.portal_token}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    await smtp_on(org, smtp_server.port)
    await sign_in(client, smtp_server)
    home = (await client.get("/portal/home")).text
    assert "返還請求書" in home and "CN-00001" in home
    assert (await client.get(f"/portal/d/{note.id}")).status_code == 200


async def test_the_customers_view_and_comment_notify_like_an_invoices(client, org, principal, invoice):
    from app.models import EventType, NotificationEvent
    from app.services import notifications
    from tests.portal.conftest import form_post

    note = await workflow.mark_sent(principal, Kind.CREDIT_NOTE, (await f.make_credit_note(
        principal, [invoice], [("返品", 1, 10000, 10)])).id)
    url = f"/portal/{note.portal_token}"
    await client.get(url)
    await client.get(url)  # once a day
    (viewed,) = await NotificationEvent.filter(type=EventType.CREDIT_NOTE_VIEWED)
    assert viewed.txn_id == note.id and viewed.data["number"] == "CN-00001"
    message = await notifications.build_message(viewed, "ja")
    assert message.text == "株式会社テスト 様が適格返還請求書 CN-00001 を閲覧しました。"
    assert (await notifications.build_message(viewed, "en")).text == "株式会社テスト viewed credit note CN-00001."
    assert notifications.document_path(viewed.type, note.id) == f"/books/credit-notes/{note.id}"

    assert (await form_post(client, url, url + "/comments", {"text": "返金の時期を教えてください。"})).status_code == 303
    (commented,) = await NotificationEvent.filter(type=EventType.CREDIT_NOTE_COMMENTED)
    assert (await notifications.build_message(commented, "en")).text == (
        "株式会社テスト commented on credit note CN-00001: 返金の時期を教えてください。")
