"""Compose and reply over the mailbox's SMTP server (aiosmtpd): the message leaves with its own
Message-ID in References and a thread token, is stored as outgoing mail associated with the deal
it was written from, is appended to the server's Sent folder (pymap), and a reply to it threads
even when the other side's client strips every header but the subject."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta

import pytest

from app import jobs
from app.errors import DeliveryFailed, ValidationError
from app.mail import sync
from app.mail.threads import find_token
from app.models import Email, EmailCopy, EmailDeal, Mailbox, MailFolder, MailSecurity, SentAppend
from app.permissions import Principal
from app.services import mail_compose
from tests.factories import make_contact, make_deal, make_user
from tests.smtp import PASSWORD, USERNAME, free_port

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture(autouse=True)
def empty_queue():
    jobs.engine().connector.reset()
    yield
    jobs.engine().connector.reset()


async def _mailbox(owner, imap_server, smtp_server) -> Mailbox:
    box = await Mailbox.create(
        owner_id=owner.id, email="owner@example.com", imap_host=imap_server.host, imap_port=imap_server.port,
        imap_security=MailSecurity.NONE, username=imap_server.username, password=imap_server.password,
        smtp_host="127.0.0.1", smtp_port=smtp_server.port if smtp_server else free_port(),
        smtp_security=MailSecurity.NONE, smtp_username=USERNAME, smtp_password=PASSWORD, connected_at=datetime.now(UTC) - timedelta(days=1))
    for name in ("INBOX", "Sent"):
        await MailFolder.create(mailbox_id=box.id, name=name, is_sent=name == "Sent")
    return box


async def test_mail_sent_from_a_deal_is_stored_associated_and_appended_to_sent(imap_server, smtp_server_auth):
    owner = await make_user(email="owner@example.com", name="営業 花子")
    contact = await make_contact(owner, email="customer@example.com")
    await make_deal(owner, [contact])  # the rules would pick this one...
    deal = await make_deal(owner, [contact])  # ...the page it was written from wins
    await make_deal(owner, [contact])
    box = await _mailbox(owner, imap_server, smtp_server_auth)
    principal = await Principal.load(owner)
    sent = await mail_compose.send(principal, mailbox_id=box.id, to="customer@example.com",
                                   subject="お見積りの件", body="よろしくお願いいたします。", deal_id=deal.id)
    [envelope] = smtp_server_auth.envelopes
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert message["Subject"].startswith("お見積りの件 ")
    assert find_token(str(message["Subject"])) == sent.thread_id
    assert message["Message-ID"].strip("<>") in message["References"]

    stored = await Email.get(id=sent.id)
    assert stored.sent_from_kizuna and stored.sent_by_id == owner.id
    assert stored.text_body.strip() == "よろしくお願いいたします。"
    assert (await EmailDeal.get(email_id=sent.id)).deal_id == deal.id
    copy = await EmailCopy.get(email_id=sent.id)
    assert copy.direction == "outgoing"

    # The append to Sent is queued (and kept in the outbox until done).
    assert await SentAppend.all().count() == 1
    await jobs.run_pending()
    assert await SentAppend.all().count() == 0
    assert len(imap_server.uids("Sent")) == 1
    # Syncing Sent finds the same message: a copy more, no second e-mail.
    await sync.sync_mailbox(box.id)
    assert await Email.all().count() == 1
    assert await EmailCopy.filter(email_id=sent.id).count() == 2


async def test_a_reply_threads_by_its_token_even_without_headers(imap_server, smtp_server_auth):
    owner = await make_user(email="owner@example.com")
    box = await _mailbox(owner, imap_server, smtp_server_auth)
    principal = await Principal.load(owner)
    sent = await mail_compose.send(principal, mailbox_id=box.id, to=["customer@example.com"],
                                   subject="ご提案", body="資料をお送りします。")
    [envelope] = smtp_server_auth.envelopes
    subject = email.message_from_bytes(envelope.original_content, policy=email.policy.default)["Subject"]
    # The customer's client strips In-Reply-To and References but keeps the subject.
    reply = (f"From: customer@example.com\r\nTo: owner@example.com\r\nSubject: RE: {subject}\r\n"
             f"Message-ID: <reply-1@customer.example>\r\nDate: {datetime.now(UTC):%a, %d %b %Y %H:%M:%S +0000}\r\n"
             "Content-Type: text/plain; charset=utf-8\r\n\r\nありがとうございます。\r\n").encode()
    imap_server.append("INBOX", reply)
    await sync.sync_mailbox(box.id)
    answer = await Email.get(message_id="reply-1@customer.example")
    assert answer.thread_id == sent.thread_id

    # Replying from Kizuna keeps the thread and names the message replied to.
    again = await mail_compose.send(principal, mailbox_id=box.id, to=["customer@example.com"],
                                    subject=mail_compose.reply_subject(answer.subject), body="承知しました。",
                                    reply_to_id=answer.id)
    assert again.thread_id == sent.thread_id
    last = email.message_from_bytes(smtp_server_auth.envelopes[-1].original_content, policy=email.policy.default)
    assert last["In-Reply-To"] == "<reply-1@customer.example>"


async def test_a_failed_send_stores_nothing(imap_server):
    owner = await make_user(email="owner@example.com")
    box = await _mailbox(owner, imap_server, None)  # nothing listens on its SMTP port
    principal = await Principal.load(owner)
    with pytest.raises(DeliveryFailed):
        await mail_compose.send(principal, mailbox_id=box.id, to=["a@example.com"], subject="x", body="y")
    assert await Email.all().count() == 0 and await SentAppend.all().count() == 0


async def test_only_your_own_mailbox_sends_and_inputs_are_bounded(imap_server, smtp_server_auth):
    owner = await make_user(email="owner@example.com")
    other = await make_user()
    box = await _mailbox(owner, imap_server, smtp_server_auth)
    with pytest.raises(ValidationError):
        await mail_compose.send(await Principal.load(other), mailbox_id=box.id, to=["a@example.com"],
                                subject="x", body="y")
    principal = await Principal.load(owner)
    for bad in ({"subject": ""}, {"subject": "x" * 300}, {"to": ["a@example.com"] * 60},
                {"to": ["not an address"]}, {"to": []}, {"body": "\x00"}):
        kwargs = {"mailbox_id": box.id, "to": ["a@example.com"], "subject": "x", "body": "y", **bad}
        with pytest.raises(ValidationError):
            await mail_compose.send(principal, **kwargs)
    assert smtp_server_auth.envelopes == [] and await Email.all().count() == 0
