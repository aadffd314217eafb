"""Mailbox mutations against real servers: connecting logs in to a pymap IMAP server first (a
refusal shows the server's own words), the first sync fetches its mail; editing keeps what is not
named (passwords included); disabling and enabling remove and predict deal associations (seed 004
rule 7); "sync now" queues a sync; removing takes the mail only it held; sendEmail goes out over an
aiosmtpd server and is stored as outgoing, associated with the deal it was written from, with
the files of mail the caller may see (others are NotFound); replyRecipients says who a reply
(to all) goes to."""

from __future__ import annotations

import pytest

from app import jobs
from app.models import Email, EmailAttachment, EmailCopy, EmailDeal, Mailbox, MailFolder, MailSecurity
from app.services import mailboxes
from tests import factories as f
from schema.types.node import from_global_id
from tests.graphql.conftest import gid
from tests.smtp import PASSWORD as SMTP_PASSWORD
from tests.smtp import REFUSED
from tests.smtp import USERNAME as SMTP_USERNAME

PAYLOAD = """__typename
  ... on MailboxPayload { mailbox { id email imapHost imapPort imapSecurity username sharing enabled hasPassword
    messageCount folders { name sync isSent } sharedWith { id } } }
  ... on NotFound { message }"""
RESULT = PAYLOAD + " ... on ValidationError { message fields { path message } }"
CONNECT = f"mutation($input: MailboxInput!) {{ connectMailbox(input: $input) {{ {RESULT} }} }}"
UPDATE = f"mutation($id: ID!, $input: MailboxInput!) {{ updateMailbox(id: $id, input: $input) {{ {RESULT} }} }}"
ENABLE = f"mutation($id: ID!) {{ enableMailbox(id: $id) {{ {PAYLOAD} }} }}"
DISABLE = f"mutation($id: ID!) {{ disableMailbox(id: $id) {{ {PAYLOAD} }} }}"
SYNC = f"mutation($id: ID!) {{ syncMailbox(id: $id) {{ {PAYLOAD} }} }}"
REMOVE = """mutation($id: ID!) { removeMailbox(id: $id) { __typename ... on DeletePayload { deletedId }
  ... on NotFound { message } } }"""
SEND = """mutation($input: SendEmailInput!) { sendEmail(input: $input) { __typename
  ... on SendEmailPayload { email { id subject sentFromKizuna to { address contact { id } }
    dealAssociation { automatic deal { id } } thread { subject } mailboxes { id } } }
  ... on ValidationError { fields { path message } }
  ... on DeliveryFailed { message }
  ... on NotFound { message } } }"""


@pytest.fixture(autouse=True)
def empty_queue():
    jobs.engine().connector.reset()
    yield
    jobs.engine().connector.reset()


def message(n: int, sender: str = "customer@example.com") -> bytes:
    return (f"From: {sender}\r\nTo: owner@example.com\r\nSubject: Message {n}\r\n"
            f"Message-ID: <m{n}@example.com>\r\nDate: Mon, 2 Mar 2026 09:00:00 +0000\r\n\r\nBody {n}\r\n").encode()


def settings_input(server, **changes) -> dict:
    return {"email": "owner@example.com", "imapHost": server.host, "imapPort": server.port, "imapSecurity": "NONE",
            "username": server.username, "password": server.password, **changes}


async def test_connect_logs_in_first_then_the_first_sync_fetches_the_mail(gql, imap_server):
    owner = await f.make_user("Sales", email="owner@example.com")
    imap_server.append("INBOX", message(1))
    refused = (await gql(owner, CONNECT, {"input": settings_input(imap_server, password="wrong")}))["connectMailbox"]
    assert refused["__typename"] == "ValidationError"
    assert [e["path"] for e in refused["fields"]] == ["password"]
    assert refused["fields"][0]["message"].startswith("The mail server refused:")
    assert len(refused["fields"][0]["message"]) > len("The mail server refused: ")  # the server's own words
    assert not await Mailbox.exists()

    data = (await gql(owner, CONNECT, {"input": settings_input(imap_server)}))["connectMailbox"]
    assert data["__typename"] == "MailboxPayload", data
    mailbox = data["mailbox"]
    assert {k: mailbox[k] for k in ("email", "imapHost", "imapPort", "imapSecurity", "sharing", "enabled",
                                    "hasPassword")} == {
        "email": "owner@example.com", "imapHost": imap_server.host, "imapPort": imap_server.port,
        "imapSecurity": "NONE", "sharing": "PRIVATE", "enabled": True, "hasPassword": True}
    assert {(fo["name"], fo["sync"], fo["isSent"]) for fo in mailbox["folders"]} >= {
        ("INBOX", True, False), ("Sent", True, True)}
    assert imap_server.password not in str(data)

    assert await jobs.run_pending() == 2  # the first sync, queued by connecting, then its bodies
    emails = await gql(owner, "{ emails { totalCount edges { node { subject mailboxes { id } } } } }")
    assert emails["emails"]["edges"] == [{"node": {"subject": "Message 1", "mailboxes": [{"id": mailbox["id"]}]}}]
    again = (await gql(owner, "{ mailboxes { messageCount lastSyncAt lastError } }"))["mailboxes"]
    assert again[0]["messageCount"] == 1 and again[0]["lastSyncAt"] and again[0]["lastError"] == ""


async def test_update_keeps_what_it_does_not_name(gql, imap_server):
    owner = await f.make_user("Sales", email="owner@example.com")
    colleague = await f.make_user("Sales")
    data = (await gql(owner, CONNECT, {"input": settings_input(imap_server)}))["connectMailbox"]
    mailbox_id = data["mailbox"]["id"]
    jobs.engine().connector.reset()

    changed = (await gql(owner, UPDATE, {"id": mailbox_id, "input": {
        "sharing": "CHOSEN", "sharedUserIds": [gid("User", colleague.id)], "smtpPort": 2525}}))["updateMailbox"]
    assert changed["__typename"] == "MailboxPayload", changed
    assert changed["mailbox"]["sharing"] == "CHOSEN"
    assert changed["mailbox"]["sharedWith"] == [{"id": gid("User", colleague.id)}]
    assert changed["mailbox"]["imapHost"] == imap_server.host and changed["mailbox"]["hasPassword"]
    stored = await Mailbox.get(owner_id=owner.id)
    assert (stored.password, stored.smtp_port, stored.email) == (imap_server.password, 2525, "owner@example.com")

    # a bad user id names its own field; someone else's mailbox is not found
    bad = (await gql(owner, UPDATE, {"id": mailbox_id, "input": {"sharedUserIds": ["nope"]}}))["updateMailbox"]
    assert [e["path"] for e in bad["fields"]] == ["sharedUserIds.0"]
    other = (await gql(colleague, UPDATE, {"id": mailbox_id, "input": {"email": "x@example.com"}}))["updateMailbox"]
    assert other["__typename"] == "NotFound"
    # a new password is tried first: the server's refusal, and nothing changes
    refused = (await gql(owner, UPDATE, {"id": mailbox_id, "input": {"password": "wrong"}}))["updateMailbox"]
    assert refused["__typename"] == "ValidationError"
    assert (await Mailbox.get(id=stored.id)).password == imap_server.password


async def test_disabling_removes_the_associations_and_enabling_predicts_them_again(gql, monkeypatch):
    queued: list[int] = []

    async def request_sync(mailbox_id: int) -> None:
        queued.append(mailbox_id)

    monkeypatch.setattr(mailboxes, "request_sync", request_sync)
    owner = await f.make_user("Sales", email="owner@example.com")
    box = await f.make_mailbox(owner)
    contact = await f.make_contact(owner, email="buyer@example.jp")
    deal = await f.make_deal(owner, contacts=[contact])
    email = await f.make_email(box, sender="buyer@example.jp")
    assert await EmailDeal.filter(email_id=email.id, deal_id=deal.id).exists()

    data = (await gql(owner, DISABLE, {"id": gid("Mailbox", box.id)}))["disableMailbox"]
    assert data["mailbox"]["enabled"] is False
    assert not await EmailDeal.exists()
    assert await Email.filter(id=email.id).exists()  # what was fetched stays
    data = (await gql(owner, ENABLE, {"id": gid("Mailbox", box.id)}))["enableMailbox"]
    assert data["mailbox"]["enabled"] is True
    assert await EmailDeal.filter(email_id=email.id, deal_id=deal.id).exists()
    assert queued == [box.id]

    sync = (await gql(owner, SYNC, {"id": gid("Mailbox", box.id)}))["syncMailbox"]
    assert sync["__typename"] == "MailboxPayload" and queued == [box.id, box.id]
    stranger = await f.make_user("Sales")
    for mutation, name in ((DISABLE, "disableMailbox"), (SYNC, "syncMailbox"), (ENABLE, "enableMailbox")):
        assert (await gql(stranger, mutation, {"id": gid("Mailbox", box.id)}))[name]["__typename"] == "NotFound"
    assert (await gql(owner, SYNC, {"id": gid("Email", box.id)}))["syncMailbox"]["__typename"] == "NotFound"
    assert queued == [box.id, box.id]


async def test_remove_takes_the_mail_only_it_held(gql):
    owner = await f.make_user("Sales", email="owner@example.com")
    colleague = await f.make_user("Sales")
    box = await f.make_mailbox(owner)
    other_box = await f.make_mailbox(colleague)
    only_here = await f.make_email(box, subject="Only here")
    both = await f.make_email(box, subject="Both", message_id="<both@example.com>")
    await f.make_email(other_box, subject="Both", message_id="<both@example.com>")

    refused = (await gql(colleague, REMOVE, {"id": gid("Mailbox", box.id)}))["removeMailbox"]
    assert refused["__typename"] == "NotFound"
    data = (await gql(owner, REMOVE, {"id": gid("Mailbox", box.id)}))["removeMailbox"]
    assert data == {"__typename": "DeletePayload", "deletedId": gid("Mailbox", box.id)}
    assert not await Mailbox.filter(id=box.id).exists()
    assert not await Email.filter(id=only_here.id).exists()
    assert await EmailCopy.filter(email_id=both.id).count() == 1


async def sending_mailbox(owner, server) -> Mailbox:
    box = await f.make_mailbox(owner, smtp_host="127.0.0.1", smtp_port=server.port, smtp_security=MailSecurity.NONE,
                               smtp_username=SMTP_USERNAME, smtp_password=SMTP_PASSWORD)
    await MailFolder.filter(mailbox_id=box.id).update(is_sent=True)
    return box


async def test_send_email_stores_an_outgoing_email_associated_with_the_deal(gql, smtp_server_auth):
    owner = await f.make_user("Sales", email="owner@example.com")
    box = await sending_mailbox(owner, smtp_server_auth)
    contact = await f.make_contact(owner, email="buyer@example.jp")
    deal = await f.make_deal(owner, contacts=[contact])  # the rules would choose the newer deal
    await f.make_deal(owner, contacts=[contact])
    question = await f.make_email(box, sender="buyer@example.jp", subject="Question")

    data = (await gql(owner, SEND, {"input": {
        "mailboxId": gid("Mailbox", box.id), "to": ["buyer@example.jp"], "subject": "Re: Question",
        "body": "お問い合わせありがとうございます。", "replyToId": gid("Email", question.id),
        "dealId": gid("Deal", deal.id)}}))["sendEmail"]
    assert data["__typename"] == "SendEmailPayload", data
    email = data["email"]
    assert email["sentFromKizuna"] and email["subject"].startswith("Re: Question")
    assert email["to"] == [{"address": "buyer@example.jp", "contact": {"id": gid("Contact", contact.id)}}]
    assert email["dealAssociation"] == {"automatic": False, "deal": {"id": gid("Deal", deal.id)}}
    assert [t["subject"] for t in email["thread"]] == ["Question", email["subject"]]
    assert email["mailboxes"] == [{"id": gid("Mailbox", box.id)}]
    [sent] = smtp_server_auth.messages
    assert sent["To"] == "buyer@example.jp" and "お問い合わせ" in sent.get_content()
    copy = await EmailCopy.get(email__sent_from_kizuna=True)
    assert copy.direction == "outgoing" and copy.mailbox_id == box.id


async def test_send_email_refusals_store_nothing(gql, smtp_server_refusing):
    owner = await f.make_user("Sales", email="owner@example.com")
    box = await sending_mailbox(owner, smtp_server_refusing)
    await Mailbox.filter(id=box.id).update(smtp_username="", smtp_password="", username="")
    colleague = await f.make_user("Sales")
    theirs = await f.make_mailbox(colleague)
    base = {"mailboxId": gid("Mailbox", box.id), "to": ["buyer@example.jp"], "subject": "Hello", "body": "Hi"}
    before = await Email.all().count()

    refused = (await gql(owner, SEND, {"input": {**base, "to": [REFUSED]}}))["sendEmail"]
    assert refused["__typename"] == "DeliveryFailed"
    bad = (await gql(owner, SEND, {"input": {**base, "to": ["not an address"]}}))["sendEmail"]
    assert bad["__typename"] == "ValidationError" and bad["fields"][0]["path"] == "to"
    foreign = (await gql(owner, SEND, {"input": {**base, "mailboxId": gid("Mailbox", theirs.id)}}))["sendEmail"]
    assert [e["path"] for e in foreign["fields"]] == ["mailboxId"]
    wrong_type = (await gql(owner, SEND, {"input": {**base, "dealId": gid("Contact", 1)}}))["sendEmail"]
    assert [e["path"] for e in wrong_type["fields"]] == ["dealId"]
    assert await Email.all().count() == before
    assert smtp_server_refusing.messages == []


REPLY_TO = """query($id: ID!, $all: Boolean!) { replyRecipients(emailId: $id, all: $all) { to cc } }"""


async def test_a_reply_goes_out_with_the_originals_files_and_to_everyone_asked(gql, smtp_server_auth):
    owner = await f.make_user("Sales", email="owner@example.com")
    box = await sending_mailbox(owner, smtp_server_auth)
    question = await f.make_email(box, sender="Buyer@example.jp", to=("owner@example.com", "team@example.jp"),
                                  cc=("OWNER@example.com", "boss@example.jp", "Team@Example.jp"), subject="Order",
                                  attachments=(("注文書（第2版）.pdf", "application/pdf", b"%PDF-1.4 order\r\n"),))
    attachment = await EmailAttachment.get(email_id=question.id)

    # Who to write to, as the page's Reply and Reply all fill it in.
    reply = (await gql(owner, REPLY_TO, {"id": gid("Email", question.id), "all": False}))["replyRecipients"]
    assert reply == {"to": ["buyer@example.jp"], "cc": []}
    everyone = (await gql(owner, REPLY_TO, {"id": gid("Email", question.id), "all": True}))["replyRecipients"]
    assert everyone == {"to": ["buyer@example.jp"], "cc": ["team@example.jp", "boss@example.jp"]}

    data = (await gql(owner, SEND, {"input": {
        "mailboxId": gid("Mailbox", box.id), **everyone, "subject": "Re: Order", "body": "確認しました。",
        "replyToId": gid("Email", question.id), "attachmentIds": [gid("EmailAttachment", attachment.id)]}}))
    assert data["sendEmail"]["__typename"] == "SendEmailPayload", data
    [sent] = smtp_server_auth.messages
    assert [(p.get_filename(), p.get_payload(decode=True)) for p in sent.iter_attachments()] == [
        ("注文書（第2版）.pdf", b"%PDF-1.4 order\r\n")]
    assert sorted(smtp_server_auth.envelopes[0].rcpt_tos) == ["boss@example.jp", "buyer@example.jp",
                                                              "team@example.jp"]
    stored = await Email.get(id=from_global_id(data["sendEmail"]["email"]["id"])[1])
    assert [a.filename for a in await EmailAttachment.filter(email_id=stored.id)] == ["注文書（第2版）.pdf"]


async def test_files_of_mail_you_may_not_see_are_not_found(gql, smtp_server_auth):
    owner = await f.make_user("Sales", email="owner@example.com")
    box = await sending_mailbox(owner, smtp_server_auth)
    mine = await f.make_email(box, sender="buyer@example.jp", attachments=(("a.txt", "text/plain", b"a"),))
    colleague = await f.make_user("Sales", email="colleague@example.com")
    private = await f.make_email(await f.make_mailbox(colleague), sender="buyer@example.jp",
                                 to=("colleague@example.com",), attachments=(("秘密.txt", "text/plain", b"secret"),))
    theirs = await EmailAttachment.get(email_id=private.id)
    ours = await EmailAttachment.get(email_id=mine.id)
    base = {"mailboxId": gid("Mailbox", box.id), "to": ["buyer@example.jp"], "subject": "Hello", "body": "Hi"}
    hidden, visible = gid("EmailAttachment", theirs.id), gid("EmailAttachment", ours.id)
    for ids in ([hidden], [visible, hidden], [gid("Email", mine.id)], ["not an id"]):
        refused = (await gql(owner, SEND, {"input": {**base, "attachmentIds": ids}}))["sendEmail"]
        assert refused["__typename"] == "NotFound", (ids, refused)
    too_many = (await gql(owner, SEND, {"input": {**base, "attachmentIds": [gid("EmailAttachment", ours.id + i)
                                                                            for i in range(11)]}}))["sendEmail"]
    assert too_many["fields"] == [{"path": "attachmentIds", "message": "Attach at most 10 files (now 11)."}]
    # Who a reply to hidden mail would go to is not told either.
    assert (await gql(owner, REPLY_TO, {"id": gid("Email", private.id), "all": True}))["replyRecipients"] is None
    assert smtp_server_auth.messages == [] and await Email.filter(sent_from_kizuna=True).count() == 0
