"""The customer portal in a real Chromium: a customer asks for a sign-in link, reads it in the
mail the test SMTP server received, signs in, comments on an estimate and accepts it, then reports
a bank transfer for an invoice; staff see it all on the documents."""

from __future__ import annotations

import re

import pytest

from app.models import ChatMessage, Comment, CommentKind, EventType, Kind, NotificationEvent, Status, Transaction, TransferReport
from app.permissions import Principal
from app import jobs, notification_tasks
from app.services import chat, workflow
from app.services import notification_settings as ns
from tests.unit.test_jobs import until
from tests import factories as f

pytestmark = pytest.mark.browser
LINK = re.compile(r"(/portal/sign-in/[A-Za-z0-9_\-]+)")


async def test_customer_signs_in_comments_accepts_and_reports_a_transfer(live_server, live_db, live_db_url, browser_page,
                                                                         smtp_server):
    page = browser_page
    user = await f.make_user("Accountant", email="keiri@example.jp", name="経理 花子")
    boss = await f.make_user("Administrator", email="admin@example.jp")
    org = await f.make_org(user, boss, name="株式会社キズナ", smtp_host="127.0.0.1", smtp_port=smtp_server.port,
                           smtp_security="none", sender_email="billing@kizuna.example")
    principal = await Principal.load(user)
    customer = await f.make_customer(org, display_name="株式会社テスト", persons=[
        {"last_name": "山田", "first_name": "太郎", "email": "yamada@customer.example"}])
    estimate = await f.make_transaction(principal, "estimate", customer, [("設計", 10, 30000, 10)],
                                        terms="納品後30日以内")
    estimate = await workflow.mark_sent(principal, Kind.ESTIMATE, estimate.id)
    invoice = await f.make_transaction(principal, "invoice", customer, [("保守", 1, 55000, 10)])
    invoice = await workflow.mark_sent(principal, Kind.INVOICE, invoice.id)
    # The team's channel for Books notifications (seed 002), every event type on.
    admin = await f.principal_for(boss)
    channel = await chat.create_channel(admin, "営業チーム", member_ids=[user.id])
    await ns.create_destination(admin, org.id, {"kind": "team_chat", "name": "営業", "channel_id": channel.id,
                                                 "event_types": list(ns.EVENT_TYPES)})

    await page.goto(f"{live_server}/portal/sign-in")
    await page.fill("#portal-email", "yamada@customer.example")
    await page.click("form button[type=submit]")
    await page.locator(".portal-notice").wait_for()
    (message,) = smtp_server.messages
    link = LINK.search(message.get_body(("plain",)).get_content()).group(1)

    await page.goto(f"{live_server}{link}")
    await page.click("form button[type=submit]")
    await page.wait_for_url(f"{live_server}/portal/home")
    await page.click(f"text={estimate.number}")
    await page.wait_for_url(f"{live_server}/portal/d/{estimate.id}")
    assert "納品後30日以内" in await page.inner_text("#terms")

    await page.fill("#comment-text", "納期は何日ですか？")
    await page.click("#comments form button[type=submit]")
    await page.locator(".portal-comments", has_text="納期は何日ですか？").wait_for()

    await page.fill("#accept-name", "山田 太郎")
    await page.fill("#accept-signature", "山田")
    await page.click("#accept button[type=submit]")
    await page.locator("#acceptance", has_text="山田 太郎").wait_for()
    assert "承諾済み" in await page.inner_text("h1")
    assert await page.locator("#accept-name").count() == 0  # accepted: no second acceptance

    await page.click("text=すべての書類")
    await page.click(f"text={invoice.number}")
    await page.wait_for_url(f"{live_server}/portal/d/{invoice.id}")
    assert "みずほ銀行" in await page.inner_text("#pay")
    await page.fill("#transfer-date", "2026-11-27")
    await page.fill("#transfer-amount", "60500")
    await page.fill("#transfer-remitter", "ﾔﾏﾀﾞ ﾀﾛｳ")
    await page.click("#transfer button[type=submit]")
    await page.locator("#pay", has_text="ﾔﾏﾀﾞ ﾀﾛｳ").wait_for()

    assert (await Transaction.get(id=estimate.id)).status == Status.ACCEPTED
    note = await Comment.get(transaction_id=estimate.id, kind=CommentKind.NOTE)
    assert note.customer_author == "山田 太郎"
    report = await TransferReport.get(invoice_id=invoice.id)
    assert str(report.transfer_date) == "2026-11-27" and report.remitter == "ﾔﾏﾀﾞ ﾀﾛｳ"
    kinds = set(await NotificationEvent.all().values_list("type", flat=True))
    assert {EventType.ESTIMATE_VIEWED, EventType.ESTIMATE_COMMENTED, EventType.ESTIMATE_ACCEPTED,
            EventType.INVOICE_VIEWED, EventType.INVOICE_TRANSFER_REPORTED} <= kinds

    # The team sees each of it in its channel: viewed, commented, accepted, viewed, transfer reported.
    async def posted() -> bool:
        if live_db_url.startswith("postgres"):  # there the live server only queues jobs: this process works them
            await notification_tasks.sweep_now()
            await jobs.run_pending(queues=[notification_tasks.QUEUE])
        return await ChatMessage.filter(channel_id=channel.id).count() >= 5
    await until(posted, 30, "the five events in the team's channel")
    bodies = " ".join(await ChatMessage.filter(channel_id=channel.id).values_list("body", flat=True))
    assert estimate.number in bodies and invoice.number in bodies
