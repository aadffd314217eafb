"""The customer portal: signing in by a one-time link, what the customer sees and does, what
staff do about it, and the rules around it (GETs change nothing, CSRF, expiry, revocation, the
rate limit, viewed once a day and never for staff)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from app import settings
from app.errors import InvalidTransition
from app.models import (
    Comment, CommentKind, EventType, Kind, NotificationEvent, Payment, PortalLink, PortalView, Status,
    Transaction, TransferReport,
)
from app.services import history, payments, portal, portal_sessions, workflow
from tests.portal.conftest import PERSON_EMAIL, form_post, link_in, smtp_on
from tests.views.conftest import login


async def events(kind: EventType) -> list[NotificationEvent]:
    return await NotificationEvent.filter(type=kind).order_by("id")


# -- signing in ----------------------------------------------------------------------------------

async def sign_in(client, smtp_server) -> str:
    page = await client.get("/portal/sign-in")
    sent = await client.post("/portal/sign-in", data={"email": PERSON_EMAIL.upper(), "csrf_token": csrf(page)})
    assert sent.status_code == 200 and "sign-in link is on its way" in sent.text
    link = link_in(smtp_server.messages[-1])
    page = await client.get(link)
    assert page.status_code == 200
    response = await client.post(link, data={"csrf_token": csrf(page)})
    assert response.status_code == 303 and response.headers["location"] == "/portal/home"
    return link


def csrf(page) -> str:
    from tests.views.conftest import csrf_of
    return csrf_of(page.text)


async def test_sign_in_by_link_shows_all_the_customers_documents(client, org, estimate, invoice, smtp_server):
    await smtp_on(org, smtp_server.port)
    link = await sign_in(client, smtp_server)
    (message,) = smtp_server.messages
    assert message["To"] == PERSON_EMAIL.upper() or PERSON_EMAIL in message["To"].lower()
    home = await client.get("/portal/home")
    assert home.status_code == 200
    assert estimate.number in home.text and invoice.number in home.text and "株式会社テスト" in home.text
    assert "cache-control" in home.headers and "no-store" in home.headers["cache-control"]
    # the link worked once
    page = await client.get(link)
    assert page.status_code == 404
    doc = await client.get(f"/portal/d/{estimate.id}")
    assert doc.status_code == 200 and "設計" in doc.text
    pdf = await client.get(f"/portal/d/{invoice.id}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # only the hash of the secret is stored
    stored = await PortalLink.get(contact_id=estimate.contact_id)
    assert stored.token_hash not in link and link.rsplit("/", 1)[1] not in stored.token_hash


async def test_opening_the_link_spends_nothing(client, org, customer, smtp_server):
    """A mail scanner following the link (GET) leaves it usable."""
    await smtp_on(org, smtp_server.port)
    page = await client.get("/portal/sign-in")
    await client.post("/portal/sign-in", data={"email": PERSON_EMAIL, "csrf_token": csrf(page)})
    link = link_in(smtp_server.messages[-1])
    for _ in range(3):
        assert (await client.get(link)).status_code == 200
    assert await PortalLink.filter(used_at__isnull=True).count() == 1


async def test_unknown_address_is_told_the_same_and_nothing_is_sent(client, org, customer, smtp_server):
    await smtp_on(org, smtp_server.port)
    page = await client.get("/portal/sign-in")
    response = await client.post("/portal/sign-in", data={"email": "nobody@example.com", "csrf_token": csrf(page)})
    assert response.status_code == 200 and "sign-in link is on its way" in response.text
    assert smtp_server.messages == [] and not await PortalLink.exists()


async def test_expired_and_revoked_links_and_sessions_stop_working(client, org, principal, customer, estimate, smtp_server):
    await smtp_on(org, smtp_server.port)
    secret = await portal_sessions.create_link(customer, PERSON_EMAIL, "山田 太郎")
    await PortalLink.filter().update(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1))
    assert (await client.get(f"/portal/sign-in/{secret}")).status_code == 404
    await sign_in(client, smtp_server)
    assert (await client.get(f"/portal/d/{estimate.id}")).status_code == 200
    pending = await portal_sessions.create_link(customer, PERSON_EMAIL, "山田 太郎")
    await portal_sessions.revoke_access(principal, customer.id)
    assert (await client.get(f"/portal/d/{estimate.id}")).status_code == 404
    assert (await client.get("/portal/home")).headers["location"] == "/portal/sign-in"
    assert (await client.get(f"/portal/sign-in/{pending}")).status_code == 404


async def test_the_link_ttl_is_configurable(customer, monkeypatch):
    monkeypatch.setattr(settings, "PORTAL_LINK_HOURS", 2)
    await portal_sessions.create_link(customer, PERSON_EMAIL, "")
    link = await PortalLink.get()
    assert timedelta(hours=1, minutes=59) < link.expires_at - datetime.now(timezone.utc) <= timedelta(hours=2)


async def test_a_session_sees_only_its_customers_documents(client, org, principal, estimate, smtp_server):
    from tests import factories as f
    other = await f.make_customer(org, display_name="他社")
    theirs = await workflow.mark_sent(principal, Kind.INVOICE, (await f.make_transaction(principal, "invoice", other)).id)
    await smtp_on(org, smtp_server.port)
    await sign_in(client, smtp_server)
    assert (await client.get(f"/portal/d/{theirs.id}")).status_code == 404
    assert theirs.number not in (await client.get("/portal/home")).text


async def test_revoked_document_link_is_not_found(client, principal, invoice):
    old = invoice.portal_token
    await portal.revoke_document_link(principal, Kind.INVOICE, invoice.id)
    assert (await client.get(f"/portal/{old}")).status_code == 404
    fresh = await Transaction.get(id=invoice.id)
    assert (await client.get(f"/portal/{fresh.portal_token}")).status_code == 200


# -- GET changes nothing; CSRF; the rate limit ------------------------------------------------------

async def test_get_changes_nothing_but_the_view(client, estimate):
    url = f"/portal/{estimate.portal_token}"
    for suffix in ("/accept", "/decline", "/comments"):
        assert (await client.get(url + suffix)).status_code in (404, 405)
    await client.get(url)
    await client.get(url)
    fresh = await Transaction.get(id=estimate.id)
    assert fresh.status == Status.VIEWED
    assert await PortalView.filter(transaction_id=estimate.id).count() == 1
    assert len(await events(EventType.ESTIMATE_VIEWED)) == 1
    assert not await Comment.filter(transaction_id=estimate.id, kind=CommentKind.NOTE).exists()


async def test_actions_without_the_csrf_token_are_refused(client, estimate):
    url = f"/portal/{estimate.portal_token}"
    await client.get(url)
    response = await client.post(url + "/accept", data={"name": "山田 太郎"})
    assert response.status_code == 403
    response = await client.post(url + "/accept", data={"name": "山田 太郎", "csrf_token": "forged"})
    assert response.status_code == 403
    assert (await Transaction.get(id=estimate.id)).status == Status.VIEWED
    assert not await events(EventType.ESTIMATE_ACCEPTED)


async def test_portal_requests_are_rate_limited(client, estimate, monkeypatch):
    monkeypatch.setattr(settings, "PORTAL_REQUESTS_PER_MINUTE", 3)
    url = f"/portal/{estimate.portal_token}"
    codes = [(await client.get(url)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert (await client.post("/portal/sign-in", data={"email": "x@example.com"})).status_code in (403, 429)


# -- viewed ----------------------------------------------------------------------------------------

async def test_viewed_is_recorded_once_a_day(client, invoice):
    url = f"/portal/{invoice.portal_token}"
    await client.get(url)
    await client.get(url)
    assert len(await events(EventType.INVOICE_VIEWED)) == 1
    await PortalView.filter(transaction_id=invoice.id).update(day=date.today() - timedelta(days=1))
    await client.get(url)
    (first, second) = await events(EventType.INVOICE_VIEWED)
    assert second.data["number"] == invoice.number and second.data["customer"] == "株式会社テスト"
    # history says "viewed" once, the first time
    assert await Comment.filter(transaction_id=invoice.id, action="viewed").count() == 1


async def test_viewed_never_for_signed_in_staff(client, staff, invoice):
    await login(client, staff)
    assert (await client.get(f"/portal/{invoice.portal_token}")).status_code == 200
    assert not await events(EventType.INVOICE_VIEWED)
    assert not await PortalView.exists()
    assert (await Transaction.get(id=invoice.id)).status == Status.SENT


# -- estimates ------------------------------------------------------------------------------------

async def test_customer_accepts_with_name_signature_and_terms(client, estimate):
    url = f"/portal/{estimate.portal_token}"
    page = await client.get(url)
    assert "納品後30日以内にお支払いください。" in page.text and "※" in page.text
    response = await form_post(client, url, url + "/accept", {"name": "山田 太郎", "signature": "山田"})
    assert response.status_code == 303
    fresh = await Transaction.get(id=estimate.id)
    assert fresh.status == Status.ACCEPTED
    entry = await Comment.get(transaction_id=estimate.id, action="accept")
    assert entry.params["name"] == "山田 太郎" and entry.params["signature"] == "山田"
    assert entry.params["terms"] == "納品後30日以内にお支払いください。"
    (event,) = await events(EventType.ESTIMATE_ACCEPTED)
    assert event.actor == "山田 太郎" and event.data["accepted_by"] == "山田 太郎"
    assert event.data["number"] == estimate.number and event.data["total"] == "¥332,592"
    page = await client.get(url)
    assert "承諾済み" in page.text and "山田 太郎" in page.text and 'id="acceptance"' in page.text


async def test_accept_needs_a_name(client, estimate):
    url = f"/portal/{estimate.portal_token}"
    response = await form_post(client, url, url + "/accept", {"name": "  "})
    assert response.status_code == 422
    assert (await Transaction.get(id=estimate.id)).status == Status.VIEWED


@pytest.mark.parametrize("state", ["expired", "converted", "void"])
async def test_accept_refused_with_the_reason_shown(client, principal, estimate, state):
    if state == "expired":
        await Transaction.filter(id=estimate.id).update(due_date=date.today() - timedelta(days=2))
    elif state == "converted":
        await workflow.convert(principal, Kind.ESTIMATE, estimate.id, Kind.INVOICE)
    else:
        await workflow.void(principal, Kind.ESTIMATE, estimate.id)
    url = f"/portal/{estimate.portal_token}"
    page = await client.get(url)
    reason = {"expired": "有効期限が切れました", "converted": "「変換済み」のため", "void": "「無効」のため"}[state]
    assert reason in page.text and 'name="signature"' not in page.text
    response = await form_post(client, url, url + "/accept", {"name": "山田 太郎"})
    assert response.status_code == 409 and reason in response.text
    assert (await Transaction.get(id=estimate.id)).status != Status.ACCEPTED
    assert not await events(EventType.ESTIMATE_ACCEPTED)


async def test_customer_declines_with_a_reason(client, estimate):
    url = f"/portal/{estimate.portal_token}"
    assert (await form_post(client, url, url + "/decline", {"reason": ""})).status_code == 422
    response = await form_post(client, url, url + "/decline", {"reason": "予算が合いません"})
    assert response.status_code == 303
    assert (await Transaction.get(id=estimate.id)).status == Status.DECLINED
    (event,) = await events(EventType.ESTIMATE_DECLINED)
    assert event.data["reason"] == "予算が合いません"


async def test_staff_accept_on_behalf_and_revert_in_history(principal, estimate):
    txn = await portal.accept_on_behalf(principal, estimate.id, {"name": "山田 太郎"})
    assert txn.status == Status.ACCEPTED
    (event,) = await events(EventType.ESTIMATE_ACCEPTED)
    assert event.data["accepted_by"] == "山田 太郎" and event.data["on_behalf_of"] == "経理 花子"
    txn = await portal.revert_acceptance(principal, estimate.id)
    assert txn.status == Status.SENT
    actions = [c.action for c in await Comment.filter(transaction_id=estimate.id)]
    assert actions[-2:] == ["accept", "acceptance_reverted"]
    with pytest.raises(InvalidTransition):
        await portal.revert_acceptance(principal, estimate.id)


# -- comments -------------------------------------------------------------------------------------

async def test_customer_comments_and_visible_staff_replies(client, principal, estimate):
    url = f"/portal/{estimate.portal_token}"
    response = await form_post(client, url, url + "/comments", {"text": "納期を教えてください。" * 20})
    assert response.status_code == 303
    note = await Comment.get(transaction_id=estimate.id, kind=CommentKind.NOTE)
    assert note.customer_author == "株式会社テスト" and note.author_id is None
    (event,) = await events(EventType.ESTIMATE_COMMENTED)
    assert event.data["excerpt"].startswith("納期を教えてください。") and len(event.data["excerpt"]) <= 140
    await history.add_note(principal, estimate, "来週お届けします。", visible_to_customer=True)
    await history.add_note(principal, estimate, "社内メモ：在庫確認中", visible_to_customer=False)
    page = await client.get(url)
    assert "来週お届けします。" in page.text and "社内メモ" not in page.text


# -- invoices -------------------------------------------------------------------------------------

async def test_bank_details_and_transfer_report_confirmed_into_a_payment(client, principal, invoice):
    url = f"/portal/{invoice.portal_token}"
    page = await client.get(url)
    assert "みずほ銀行" in page.text and "Pay by card" not in page.text and "カードで" not in page.text
    response = await form_post(client, url, url + "/transfer",
                               {"date": "2026-11-20", "amount": "50,000", "remitter": "ｶ)ﾃｽﾄ"})
    assert response.status_code == 303
    report = await TransferReport.get(invoice_id=invoice.id)
    assert report.amount == Decimal("50000") and report.remitter == "ｶ)ﾃｽﾄ"
    (event,) = await events(EventType.INVOICE_TRANSFER_REPORTED)
    assert event.data["amount"] == "¥50,000" and event.data["remitter"] == "ｶ)ﾃｽﾄ"
    payment = await portal.confirm_transfer(principal, report.id)
    assert payment.amount == Decimal("50000") and payment.reference == "ｶ)ﾃｽﾄ"
    fresh = await Transaction.get(id=invoice.id)
    assert fresh.status == Status.PARTIALLY_PAID and fresh.balance == Decimal("60000")
    (paid,) = await events(EventType.INVOICE_PAID)
    assert paid.data["amount"] == "¥50,000" and paid.data["paid_in_full"] is False
    with pytest.raises(InvalidTransition):
        await portal.confirm_transfer(principal, report.id)
    assert await Payment.filter(invoice_id=invoice.id).count() == 1


async def test_transfer_report_is_bounded(client, invoice):
    url = f"/portal/{invoice.portal_token}"
    for data in ({"date": "x", "amount": "1", "remitter": "a"}, {"date": "2026-11-20", "amount": "999999999", "remitter": "a"},
                 {"date": "2026-11-20", "amount": "-1", "remitter": "a"}, {"date": "2026-11-20", "amount": "1", "remitter": ""},
                 {"date": "2026-11-20", "amount": "1", "remitter": "a" * 101}):
        assert (await form_post(client, url, url + "/transfer", data)).status_code == 422, data
    assert not await TransferReport.exists()


async def test_staff_payment_records_the_paid_event(principal, invoice):
    await payments.record_payment(principal, invoice.id, {"amount": "110000"})
    (event,) = await events(EventType.INVOICE_PAID)
    assert event.data["amount"] == "¥110,000" and event.data["paid_in_full"] is True
    assert event.data["customer"] == "株式会社テスト"


# -- 1E+1 -------------------------------------------------------------------------------------------

async def test_quantities_and_rates_print_without_exponents(client, principal, customer):
    from app.money import format_number, format_rate
    from app.pdf.labels import number_text
    for value in (Decimal("1E+1"), Decimal("10.0000"), Decimal("1E+3")):
        assert "E" not in format_number(value) + format_rate(value, "JPY") + number_text(value)
    assert format_number(Decimal("1E+1")) == "10" and number_text(Decimal("1E+1")) == "10"
    from tests import factories as f
    inv = await f.make_transaction(principal, "invoice", customer, [("部品", 10, 100, 10)])
    inv = await workflow.mark_sent(principal, Kind.INVOICE, inv.id)
    page = await client.get(f"/portal/{inv.portal_token}")
    assert "E+" not in page.text and ">10 <" in page.text.replace("</td>", "<")


async def test_document_links_expire_after_the_configured_days(client, invoice, monkeypatch):
    url = f"/portal/{invoice.portal_token}"
    monkeypatch.setattr(settings, "PORTAL_DOCUMENT_LINK_DAYS", 30)
    assert (await client.get(url)).status_code == 200
    await Transaction.filter(id=invoice.id).update(sent_at=datetime.now(timezone.utc) - timedelta(days=31))
    assert (await client.get(url)).status_code == 404
    assert (await client.get(url + ".pdf")).status_code == 404
    monkeypatch.setattr(settings, "PORTAL_DOCUMENT_LINK_DAYS", 0)  # never
    assert (await client.get(url)).status_code == 200


async def test_the_organizations_logo_heads_the_page(client, org, invoice):
    from app.services.documents import storage_path
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    path = storage_path("portal-test-logo.png")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)
    org.logo_path = "portal-test-logo.png"
    await org.save()
    url = f"/portal/{invoice.portal_token}"
    page = await client.get(url)
    assert f'src="{url}/logo"' in page.text
    logo = await client.get(url + "/logo")
    assert logo.status_code == 200 and logo.headers["content-type"] == "image/png" and logo.content == png
    path.unlink()


async def test_the_pdf_by_link_and_in_a_session(client, invoice):
    response = await client.get(f"/portal/{invoice.portal_token}.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert (await client.get(f"/portal/d/{invoice.id}.pdf")).status_code == 404  # not signed in


async def test_a_comments_notification_quotes_it(client, estimate):
    from app.services import notifications

    url = f"/portal/{estimate.portal_token}"
    await form_post(client, url, url + "/comments", {"text": "納期を教えてください。"})
    (event,) = await events(EventType.ESTIMATE_COMMENTED)
    message = await notifications.build_message(event, "en")
    assert message.text == f"株式会社テスト commented on estimate {estimate.number}: 納期を教えてください。"
