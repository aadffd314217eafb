"""Compose and reply over the mailbox's SMTP server (aiosmtpd): the message leaves with its own
Message-ID in References and a thread token, is stored as outgoing mail associated with the deal
it was written from, is appended to the server's Sent folder (pymap), and a reply to it threads
even when the other side's client strips every header but the subject. Files arrive byte for
byte under their (Japanese) names, within bounds; a reply may send the original's files again,
never those of mail the user may not see; reply-all leaves out the user's own addresses."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta

import pytest

from app import jobs, settings
from app.errors import DeliveryFailed, NotFound, ValidationError
from app.mail import blobs, sync
from app.mail.threads import find_token
from app.models import Email, EmailAttachment, EmailCopy, EmailDeal, Mailbox, MailFolder, MailSecurity, SentAppend
from app.permissions import Principal
from app.services import mail_compose
from tests.factories import make_contact, make_deal, make_email, make_mailbox, make_user
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


# ---- attachments -------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\r\n%%EOF\r\n"  # every byte value, CR LF included
CSV = "品名,数量\r\nりんご,3\r\n".encode("cp932")  # a Shift_JIS file stays Shift_JIS


def _received(server, index: int = -1) -> email.message.EmailMessage:
    return email.message_from_bytes(server.envelopes[index].original_content, policy=email.policy.default)


def _files(message) -> list[tuple[str, str, bytes]]:
    return [(p.get_filename(), p.get_content_type(), p.get_payload(decode=True)) for p in message.iter_attachments()]


async def test_files_arrive_with_their_bytes_and_japanese_names(imap_server, smtp_server_auth):
    owner = await make_user(email="owner@example.com")
    box = await _mailbox(owner, imap_server, smtp_server_auth)
    principal = await Principal.load(owner)
    uploads = [mail_compose.Upload("C:\\Users\\hanako\\見積書（2026年4月分）株式会社さくら御中.pdf", PDF),
               mail_compose.Upload("在庫\x00一覧.csv", CSV), mail_compose.Upload("../../etc/passwd", b"x")]
    sent = await mail_compose.send(principal, mailbox_id=box.id, to=["customer@example.com"],
                                   subject="お見積り", body="ご確認ください。", attachments=uploads)

    message = _received(smtp_server_auth)
    assert message.get_body(("plain",)).get_content().strip() == "ご確認ください。"
    # The names as the customer's client shows them (RFC 2231), the types guessed from them.
    assert _files(message) == [("見積書（2026年4月分）株式会社さくら御中.pdf", "application/pdf", PDF),
                               ("在庫一覧.csv", "text/csv", CSV), ("passwd", "application/octet-stream", b"x")]
    # The stored e-mail lists them, with the bytes sent.
    stored = await EmailAttachment.filter(email_id=sent.id).order_by("id").select_related("blob")
    assert [(a.filename, a.size, a.inline) for a in stored] == [
        ("見積書（2026年4月分）株式会社さくら御中.pdf", len(PDF), False), ("在庫一覧.csv", len(CSV), False),
        ("passwd", 1, False)]
    assert blobs.read(stored[0].blob.sha256) == PDF and blobs.read(stored[1].blob.sha256) == CSV


async def test_too_many_or_too_large_files_send_nothing(imap_server, smtp_server_auth, monkeypatch):
    owner = await make_user(email="owner@example.com")
    box = await _mailbox(owner, imap_server, smtp_server_auth)
    principal = await Principal.load(owner)
    base = {"mailbox_id": box.id, "to": ["a@example.com"], "subject": "x", "body": "y"}
    with pytest.raises(ValidationError) as refused:
        await mail_compose.send(principal, **base, attachments=[mail_compose.Upload(f"{i}.txt", b"x")
                                                                for i in range(11)])
    assert [(e.field, e.render()) for e in refused.value.errors] == [
        ("attachments", "Attach at most 10 files (now 11).")]
    monkeypatch.setattr(settings, "MAIL_ATTACHMENTS_MAX_BYTES", 1024 * 1024)
    with pytest.raises(ValidationError) as refused:
        await mail_compose.send(principal, **base, attachments=[mail_compose.Upload("a.bin", b"x" * 600_000),
                                                                mail_compose.Upload("b.bin", b"x" * 600_000)])
    assert [e.render() for e in refused.value.errors] == [
        "The attachments may be at most 1 MB in all (now 1.2 MB)."]
    assert smtp_server_auth.envelopes == [] and await Email.all().count() == 0


async def test_a_reply_can_send_the_originals_files_again(imap_server, smtp_server_auth):
    owner = await make_user(email="owner@example.com")
    box = await _mailbox(owner, imap_server, smtp_server_auth)
    principal = await Principal.load(owner)
    original = await make_email(box, sender="customer@example.com", to=("owner@example.com",), attachments=(
        ("注文書.pdf", "application/pdf", PDF), ("logo.png", "image/png", b"\x89PNG")))
    first, second = await EmailAttachment.filter(email_id=original.id).order_by("id")
    reply = await mail_compose.send(principal, mailbox_id=box.id, to=["customer@example.com"], subject="Re: 注文",
                                    body="受領しました。", reply_to_id=original.id, attachment_ids=[str(first.id)],
                                    attachments=[mail_compose.Upload("受領書.txt", "受領".encode())])
    assert _files(_received(smtp_server_auth)) == [("注文書.pdf", "application/pdf", PDF),
                                                   ("受領書.txt", "text/plain", "受領".encode())]
    assert await EmailAttachment.filter(email_id=reply.id).count() == 2

    # Another user's private mail: its files are as absent as missing ones; nothing is sent.
    stranger = await make_user(email="stranger@example.com")
    their_box = await make_mailbox(stranger)
    hidden = await make_email(their_box, sender="x@example.com", to=("stranger@example.com",),
                              attachments=(("秘密.pdf", "application/pdf", b"%PDF secret"),))
    secret = await EmailAttachment.get(email_id=hidden.id)
    for ids in ([secret.id], [first.id, secret.id], ["not an id"], [2**40]):
        with pytest.raises(NotFound):
            await mail_compose.send(principal, mailbox_id=box.id, to=["customer@example.com"], subject="x", body="y",
                                    attachment_ids=ids)
    assert len(smtp_server_auth.envelopes) == 1 and await Email.filter(sent_from_kizuna=True).count() == 1


# ---- who a reply goes to -----------------------------------------------------------------------


async def test_reply_all_goes_to_everyone_but_you_once_each(imap_server):
    owner = await make_user(email="Owner@Example.com")
    box = await _mailbox(owner, imap_server, None)  # its address: owner@example.com
    await make_mailbox(owner, email="hanako@old.example", enabled=False)  # still one of hers
    principal = await Principal.load(owner)
    received = await make_email(
        box, sender="Customer@Example.com",
        to=("owner@example.com", "Colleague@example.com", "buyer@example.com"),
        cc=("HANAKO@old.example", "colleague@EXAMPLE.com", "boss@example.com", "customer@example.com"))
    # (Stored addresses are lower-cased.)
    assert await mail_compose.reply_recipients(principal, received) == (["customer@example.com"], [])
    assert await mail_compose.reply_recipients(principal, received, reply_all=True) == (
        ["customer@example.com"], ["colleague@example.com", "buyer@example.com", "boss@example.com"])

    # Mail she sent: a reply goes to its To again; replying to all adds its Cc.
    sent = await make_email(box, sender="owner@example.com", to=("buyer@example.com", "OWNER@example.com"),
                            cc=("boss@example.com", "Buyer@example.com"))
    assert await mail_compose.reply_recipients(principal, sent) == (["buyer@example.com"], [])
    assert await mail_compose.reply_recipients(principal, sent, reply_all=True) == (
        ["buyer@example.com"], ["boss@example.com"])
