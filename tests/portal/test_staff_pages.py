"""Staff side of the portal on a document's page: accept on the customer's behalf, revert the
acceptance, confirm a reported transfer into a payment, notes visible to the customer, revoke
the customer link."""

from __future__ import annotations

from decimal import Decimal

from app.models import Comment, EventType, NotificationEvent, Payment, Status, Transaction, TransferReport
from app.services import portal
from tests.views.conftest import login, post


async def test_accept_on_behalf_and_revert_from_the_page(client, staff, estimate):
    await login(client, staff)
    page = await client.get(f"/books/estimates/{estimate.id}")
    assert 'id="accept-on-behalf"' in page.text
    response = await post(client, f"/books/estimates/{estimate.id}/accept-on-behalf", {"name": "山田 太郎"})
    assert response.status_code == 303
    assert (await Transaction.get(id=estimate.id)).status == Status.ACCEPTED
    page = await client.get(f"/books/estimates/{estimate.id}")
    assert "山田 太郎" in page.text and 'id="revert-acceptance"' in page.text
    response = await post(client, f"/books/estimates/{estimate.id}/revert-acceptance")
    assert response.status_code == 303
    assert (await Transaction.get(id=estimate.id)).status == Status.SENT
    assert [c.action for c in await Comment.filter(transaction_id=estimate.id)][-2:] == ["accept", "acceptance_reverted"]
    # refused twice, explained, nothing changes
    response = await post(client, f"/books/estimates/{estimate.id}/revert-acceptance")
    assert response.status_code == 409


async def test_accept_on_behalf_needs_a_name(client, staff, estimate):
    await login(client, staff)
    response = await post(client, f"/books/estimates/{estimate.id}/accept-on-behalf", {"name": ""})
    assert response.status_code == 409
    assert (await Transaction.get(id=estimate.id)).status == Status.SENT


async def test_confirm_a_reported_transfer_from_the_page(client, staff, invoice):
    report = await portal.report_transfer(invoice, portal.Visitor(contact_id=invoice.contact_id, name="山田"),
                                          {"date": "2026-11-20", "amount": "110000", "remitter": "ﾔﾏﾀﾞ ﾀﾛｳ"})
    await login(client, staff)
    page = await client.get(f"/books/invoices/{invoice.id}")
    assert f'id="confirm-transfer-{report.id}"' in page.text and "ﾔﾏﾀﾞ ﾀﾛｳ" in page.text
    response = await post(client, f"/books/invoices/{invoice.id}/transfer-reports/{report.id}/confirm")
    assert response.status_code == 303
    (payment,) = await Payment.filter(invoice_id=invoice.id)
    assert payment.amount == Decimal("110000")
    assert (await Transaction.get(id=invoice.id)).status == Status.PAID
    assert (await TransferReport.get(id=report.id)).payment_id == payment.id
    (event,) = await NotificationEvent.filter(type=EventType.INVOICE_PAID)
    assert event.data["paid_in_full"] is True
    response = await post(client, f"/books/invoices/{invoice.id}/transfer-reports/{report.id}/confirm")
    assert response.status_code == 409
    assert await Payment.filter(invoice_id=invoice.id).count() == 1


async def test_notes_visible_to_the_customer_only_when_marked(client, staff, invoice):
    await login(client, staff)
    await post(client, f"/books/invoices/{invoice.id}/comments", {"text": "ご入金ありがとうございます", "visible_to_customer": "1"})
    await post(client, f"/books/invoices/{invoice.id}/comments", {"text": "社内：督促不要"})
    client.cookies.clear()
    page = await client.get(f"/portal/{invoice.portal_token}")
    assert "ご入金ありがとうございます" in page.text and "督促不要" not in page.text


async def test_customer_comments_show_on_the_staff_page(client, staff, invoice):
    await portal.comment(invoice, portal.Visitor(contact_id=invoice.contact_id, name="山田 太郎"), {"text": "請求書を受領しました"})
    await login(client, staff)
    page = await client.get(f"/books/invoices/{invoice.id}")
    assert "請求書を受領しました" in page.text and "山田 太郎" in page.text


async def test_revoke_the_customer_link_from_the_page(client, staff, invoice):
    old = invoice.portal_token
    await login(client, staff)
    assert (await post(client, f"/books/invoices/{invoice.id}/portal-link/revoke")).status_code == 303
    client.cookies.clear()
    assert (await client.get(f"/portal/{old}")).status_code == 404


async def test_set_aside_a_reported_transfer(client, staff, invoice):
    report = await portal.report_transfer(invoice, portal.Visitor(contact_id=invoice.contact_id),
                                          {"date": "2026-11-20", "amount": "5000", "remitter": "ﾏﾁｶﾞｲ"})
    await login(client, staff)
    response = await post(client, f"/books/invoices/{invoice.id}/transfer-reports/{report.id}/dismiss")
    assert response.status_code == 303
    assert (await TransferReport.get(id=report.id)).dismissed_at is not None
    assert not await Payment.exists()
    page = await client.get(f"/books/invoices/{invoice.id}")
    assert f'id="confirm-transfer-{report.id}"' not in page.text
    response = await post(client, f"/books/invoices/{invoice.id}/transfer-reports/{report.id}/confirm")
    assert response.status_code == 409
    client.cookies.clear()
    assert "ﾏﾁｶﾞｲ" not in (await client.get(f"/portal/{invoice.portal_token}")).text


async def test_end_a_customers_portal_access_from_the_customer_page(client, staff, customer):
    from app.services import portal_sessions
    from tests.portal.conftest import PERSON_EMAIL

    unused = await portal_sessions.create_link(customer, PERSON_EMAIL, "山田 太郎")
    cookie = await portal_sessions.start(await portal_sessions.use_link(
        await portal_sessions.create_link(customer, PERSON_EMAIL, "山田 太郎")))
    assert await portal_sessions.current(cookie) is not None
    await login(client, staff)  # an Accountant: may edit Books customers
    page = await client.get(f"/books/contacts/{customer.id}")
    assert 'id="customer-portal"' in page.text
    response = await post(client, f"/books/contacts/{customer.id}/portal/revoke")
    assert response.status_code == 303 and response.headers["location"].endswith("?portal=revoked")
    assert await portal_sessions.current(cookie) is None  # the session ends at once
    assert (await client.get(f"/portal/sign-in/{unused}")).status_code in (404, 410)  # and the links
    # someone outside the organization cannot end it: 404, nothing written
    from tests import factories as f

    fresh = await portal_sessions.start(await portal_sessions.use_link(
        await portal_sessions.create_link(customer, PERSON_EMAIL, "山田 太郎")))
    await login(client, await f.make_user("Accountant"))
    assert (await post(client, f"/books/contacts/{customer.id}/portal/revoke")).status_code == 404
    assert await portal_sessions.current(fresh) is not None
