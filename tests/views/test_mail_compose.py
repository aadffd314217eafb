"""Writing e-mail from a record's page and replying from an e-mail's page, through the pages, over
a real SMTP server (aiosmtpd) with a real IMAP server (pymap) behind the mailbox: the form is
prefilled from what it is written from, a send arrives at the server and is stored (associated
with the deal it was written from, threaded when it is a reply), and a refusal (bad input, the
SMTP server's, another user's mailbox, too many or too large files) answers the form with its
messages and sends nothing. Files chosen on the form arrive byte for byte under their Japanese
names and are listed on the sent e-mail's page; "Reply all" writes to everyone but the user; a
reply may send the original's files again, never those of mail the user may not see."""

from __future__ import annotations

import email as emaillib
import email.policy
import html
import re
from datetime import UTC, datetime, timedelta

import pytest

from app import jobs, settings
from app.limits import mail_compose_limit
from app.mail import sync
from app.models import Email, EmailAttachment, EmailDeal, Mailbox, MailFolder, MailSecurity, User
from tests import factories as f
from tests.smtp import PASSWORD, REFUSED, USERNAME, free_port
from tests.views.conftest import HX, csrf_of, hx_post, login, post, text_of, token

CUSTOMER = "customer@example.com"
FORM = {**HX, "HX-Target": "mail-compose"}  # the "Write e-mail" and "Reply" buttons' requests


@pytest.fixture(autouse=True)
def empty_queue():
    # Sending queues the append to the Sent folder; no job of one test may run in another.
    jobs.engine().connector.reset()
    yield
    jobs.engine().connector.reset()


async def make_mailbox(owner, imap_server, smtp_port: int | None, **kw) -> Mailbox:
    box = await Mailbox.create(
        owner_id=owner.id, email=kw.pop("email", owner.email), imap_host=imap_server.host,
        imap_port=imap_server.port, imap_security=MailSecurity.NONE, username=imap_server.username,
        password=imap_server.password, smtp_host="127.0.0.1", smtp_port=smtp_port or free_port(),
        smtp_security=MailSecurity.NONE, smtp_username=USERNAME, smtp_password=PASSWORD,
        connected_at=datetime.now(UTC) - timedelta(days=1), **kw)
    for name in ("INBOX", "Sent"):
        await MailFolder.create(mailbox_id=box.id, name=name, is_sent=name == "Sent")
    return box


def value_of(page: str, element_id: str) -> str:
    """The value of an input, or the text of a textarea, as a browser reads it."""
    tag = re.search(rf'<(input|textarea)[^>]*\sid="{element_id}"[^>]*>', page)
    assert tag, f"no #{element_id}"
    if tag.group(1) == "input":
        match = re.search(r'\svalue="([^"]*)"', tag.group(0))
        return html.unescape(match.group(1)) if match else ""
    text = page[tag.end():page.index("</textarea>", tag.end())]
    return html.unescape(text.removeprefix("\n"))  # the line break a browser drops


def sent(server) -> list[emaillib.message.EmailMessage]:
    return [emaillib.message_from_bytes(e.original_content, policy=email.policy.default) for e in server.envelopes]


def compose_data(box: Mailbox, **values) -> dict:
    return {"mailbox_id": str(box.id), "to": CUSTOMER, "cc": "", "subject": "ご提案", "body": "資料をお送りします。",
            **values}


# ---- the form ----------------------------------------------------------------------------------


async def test_the_form_is_prefilled_with_the_records_addresses(client, signed_in, imap_server):
    me = await signed_in("Sales", email="me@example.com")
    other = await f.make_user("Sales")
    box = await make_mailbox(me, imap_server, None)
    await make_mailbox(me, imap_server, None, email="old@example.com", enabled=False)
    await make_mailbox(other, imap_server, None, email="theirs@example.com")
    contact = await f.make_contact(me, email="Customer@Example.com", secondary_email="home@example.com")
    second = await f.make_contact(me, email="", secondary_email="second@example.com")
    hidden = await f.make_contact(other, email="hidden@example.com")
    lead = await f.make_lead(me, email="lead@example.com")
    deal = await f.make_deal(me, [contact, second, hidden])
    account = await f.make_account(me)
    await f.make_contact(me, email="staff@example.com", account=account)

    detail = (await client.get(f"/contacts/{contact.id}")).text
    assert f'href="/contacts/{contact.id}/mail/compose"' in detail and 'id="mail-compose"' in detail
    expected = {
        f"/contacts/{contact.id}": "Customer@Example.com",  # the primary address only
        f"/leads/{lead.id}": "lead@example.com",
        # one address per contact the user may see; a hidden contact's never shows
        f"/deals/{deal.id}": "Customer@Example.com, second@example.com",
        f"/accounts/{account.id}": "staff@example.com",
    }
    for url, to in expected.items():
        fragment = await client.get(f"{url}/mail/compose", headers=FORM)
        assert fragment.status_code == 200, url
        assert "<html" not in fragment.text and 'id="compose-form"' in fragment.text
        assert value_of(fragment.text, "compose-to") == to, url
        # Only the user's own enabled mailboxes, the first chosen.
        options = re.findall(r'<option value="(\d+)"( selected)?>([^<]*)</option>', fragment.text)
        assert options == [(str(box.id), " selected", "me@example.com")]
    # Without htmx: a page of its own, with its CSRF field, in the user's language.
    page = await client.get(f"/deals/{deal.id}/mail/compose")
    assert "<html" in page.text and csrf_of(page.text) and value_of(page.text, "compose-to")


async def test_without_a_mailbox_the_form_offers_to_connect_one(client, signed_in):
    me = await signed_in("Sales")
    contact = await f.make_contact(me)
    await f.make_mailbox(me, enabled=False)
    fragment = (await client.get(f"/contacts/{contact.id}/mail/compose", headers=FORM)).text
    assert 'id="compose-form"' not in fragment
    assert 'id="compose-connect" href="/settings/mail"' in fragment


async def test_the_form_speaks_japanese(client, imap_server):
    me = await f.make_user("Sales", language="ja")
    await login(client, me)
    await make_mailbox(me, imap_server, None)
    contact = await f.make_contact(me)
    fragment = (await client.get(f"/contacts/{contact.id}/mail/compose", headers=FORM)).text
    assert "メールを作成" in fragment and "宛先" in fragment and "送信" in fragment


# ---- sending -----------------------------------------------------------------------------------


async def test_mail_sent_from_a_deal_arrives_and_is_on_the_deal(client, signed_in, imap_server, smtp_server_auth):
    me = await signed_in("Sales", email="me@example.com", name="営業 花子")
    contact = await f.make_contact(me, email=CUSTOMER)
    await f.make_deal(me, [contact])
    deal = await f.make_deal(me, [contact], name="大型案件")  # written from this one...
    await f.make_deal(me, [contact])  # ...though the rules would pick the latest
    box = await make_mailbox(me, imap_server, smtp_server_auth.port)

    response = await hx_post(client, f"/deals/{deal.id}/mail/compose", compose_data(box, cc="boss@example.com"))
    assert response.status_code == 200 and response.headers["hx-location"] == f"/deals/{deal.id}"

    [message] = sent(smtp_server_auth)
    assert message["Subject"].startswith("ご提案 [KZ#") and message["To"] == CUSTOMER
    assert message["Cc"] == "boss@example.com" and "営業 花子" in str(message["From"])
    assert message.get_content().strip() == "資料をお送りします。"
    assert sorted(smtp_server_auth.envelopes[0].rcpt_tos) == ["boss@example.com", CUSTOMER]

    stored = await Email.get(sent_from_kizuna=True)
    link = await EmailDeal.get(email_id=stored.id)
    assert link.deal_id == deal.id and not link.automatic
    panel = (await client.get(f"/deals/{deal.id}/mail", headers=HX)).text  # "associated with this deal"
    assert f'id="email-{stored.id}"' in panel and "ご提案" in panel

    # The copy goes to the server's Sent folder, and a sync of it stores nothing twice.
    await jobs.run_pending()
    assert len(imap_server.uids("Sent")) == 1
    await sync.sync_mailbox(box.id)
    assert await Email.all().count() == 1


async def test_a_plain_form_is_answered_with_a_redirect(client, signed_in, imap_server, smtp_server_auth):
    me = await signed_in("Sales")
    contact = await f.make_contact(me, email=CUSTOMER)
    box = await make_mailbox(me, imap_server, smtp_server_auth.port)
    response = await post(client, f"/contacts/{contact.id}/mail/compose", compose_data(box))
    assert response.status_code == 303 and response.headers["location"] == f"/contacts/{contact.id}"
    assert len(smtp_server_auth.envelopes) == 1
    panel = (await client.get(f"/contacts/{contact.id}/mail", headers=HX)).text
    assert "ご提案" in panel


async def test_a_reply_quotes_the_original_and_threads(client, signed_in, imap_server, smtp_server_auth):
    me = await signed_in("Sales", email="me@example.com")
    await f.make_contact(me, email=CUSTOMER)
    box = await make_mailbox(me, imap_server, smtp_server_auth.port)
    imap_server.append("INBOX", (
        f"From: Customer Taro <{CUSTOMER}>\r\nTo: me@example.com\r\nCc: colleague@example.com\r\n"
        "Subject: Estimate request\r\nMessage-ID: <ask-1@customer.example>\r\n"
        "Date: Mon, 05 Jan 2026 09:30:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Could you send an estimate?\r\n\r\nThanks\r\n").encode())
    await sync.sync_mailbox(box.id)
    original = await Email.get(message_id="ask-1@customer.example")

    page = (await client.get(f"/mail/emails/{original.id}")).text
    assert f'href="/mail/emails/{original.id}/reply"' in page and 'id="mail-compose"' in page
    form = (await client.get(f"/mail/emails/{original.id}/reply", headers=FORM)).text
    assert value_of(form, "compose-to") == CUSTOMER  # the sender, not everyone
    assert value_of(form, "compose-cc") == ""
    assert value_of(form, "compose-subject") == "Re: Estimate request"
    body = value_of(form, "compose-body")
    assert body.startswith("\n\nOn ") and "Customer Taro wrote:" in body
    assert "Jan 5, 2026" in body and "6:30" in body  # in the user's time zone (Tokyo)
    assert "> Could you send an estimate?\n>\n> Thanks" in body

    response = await hx_post(client, f"/mail/emails/{original.id}/reply", compose_data(
        box, subject=value_of(form, "compose-subject"), body="Attached.\n" + body))
    reply = await Email.get(sent_from_kizuna=True)
    assert response.status_code == 200 and response.headers["hx-location"] == f"/mail/emails/{reply.id}"
    [message] = sent(smtp_server_auth)
    assert message["In-Reply-To"] == "<ask-1@customer.example>"
    assert "<ask-1@customer.example>" in message["References"]
    assert message["Subject"].startswith("Re: Estimate request [KZ#")
    assert reply.thread_id == original.thread_id and reply.in_reply_to == "ask-1@customer.example"
    thread = (await client.get(f"/mail/emails/{reply.id}")).text
    assert f'id="thread-email-{original.id}"' in thread

    # Replying to one's own mail goes to its recipients again, and the subject keeps one token.
    form = (await client.get(f"/mail/emails/{reply.id}/reply", headers=FORM)).text
    assert value_of(form, "compose-to") == CUSTOMER
    assert value_of(form, "compose-subject") == "Re: Estimate request"
    await hx_post(client, f"/mail/emails/{reply.id}/reply", compose_data(box, subject=value_of(form, "compose-subject")))
    again = sent(smtp_server_auth)[-1]
    assert again["In-Reply-To"] == f"<{reply.message_id}>" and str(again["Subject"]).count("[KZ#") == 1


async def test_a_reply_speaks_the_users_language(client, imap_server):
    me = await f.make_user("Sales", language="ja", email="me@example.com")
    await login(client, me)
    box = await make_mailbox(me, imap_server, None)
    original = await f.make_email(box, sender=CUSTOMER, subject="お見積り", text="よろしく",
                                  sent_at=datetime(2026, 1, 5, 9, 30, tzinfo=UTC))
    body = value_of((await client.get(f"/mail/emails/{original.id}/reply", headers=FORM)).text, "compose-body")
    assert "2026年1月5日" in body and "18:30" in body and "customer@example.com さんが書きました:" in body
    assert "> よろしく" in body


async def test_a_reply_from_a_deals_panel_goes_to_that_deal(client, signed_in, imap_server, smtp_server_auth):
    me = await signed_in("Sales", email="me@example.com")
    contact = await f.make_contact(me, email=CUSTOMER)
    deal = await f.make_deal(me, [contact])
    later = await f.make_deal(me, [contact])  # the rules would pick this one
    box = await make_mailbox(me, imap_server, smtp_server_auth.port)
    original = await f.make_email(box, sender=CUSTOMER, to=("me@example.com",), subject="Question")
    await EmailDeal.filter(email_id=original.id).delete()
    panel = (await client.get(f"/deals/{deal.id}/mail?mode=contacts", headers=HX)).text
    reply_url = f"/mail/emails/{original.id}/reply?deal_id={deal.id}"
    assert f'href="{html.escape(reply_url)}"' in panel
    form = (await client.get(reply_url, headers=FORM)).text
    assert f'name="deal_id" value="{deal.id}"' in form
    await hx_post(client, f"/mail/emails/{original.id}/reply", compose_data(box, deal_id=str(deal.id)))
    reply = await Email.get(sent_from_kizuna=True)
    assert (await EmailDeal.get(email_id=reply.id)).deal_id == deal.id != later.id


# ---- refusals ----------------------------------------------------------------------------------


async def test_bad_input_answers_the_form_with_messages_and_sends_nothing(
        client, signed_in, imap_server, smtp_server_auth):
    me = await signed_in("Sales")
    contact = await f.make_contact(me, email=CUSTOMER)
    box = await make_mailbox(me, imap_server, smtp_server_auth.port)
    url = f"/contacts/{contact.id}/mail/compose"
    cases = {
        "error-subject": {"subject": " "},
        "error-to": {"to": "not an address, customer@example.com"},
        "error-cc": {"cc": "a@b"},
        "error-body": {"body": "x" * 100_001},
    }
    for error_id, bad in cases.items():
        response = await hx_post(client, url, compose_data(box, **bad))
        assert response.status_code == 422, bad
        assert "<html" not in response.text and f'id="{error_id}"' in response.text, bad
        if "to" in bad:  # what was typed comes back
            assert value_of(response.text, "compose-to") == bad["to"]
    empty = await hx_post(client, url, compose_data(box, to=""))
    assert empty.status_code == 422 and "Enter at least one recipient." in empty.text
    plain = await post(client, url, compose_data(box, subject=""))
    assert plain.status_code == 422 and "<html" in plain.text and 'id="error-subject"' in plain.text
    assert smtp_server_auth.envelopes == [] and await Email.all().count() == 0


async def test_the_smtp_servers_refusal_is_the_forms_message(client, signed_in, imap_server, smtp_server_refusing):
    me = await signed_in("Sales")
    contact = await f.make_contact(me, email=CUSTOMER)
    box = await make_mailbox(me, imap_server, smtp_server_refusing.port)
    await Mailbox.filter(id=box.id).update(smtp_username="", username="")  # this server takes no AUTH
    response = await hx_post(client, f"/contacts/{contact.id}/mail/compose", compose_data(box, to=REFUSED))
    assert response.status_code == 422 and 'id="compose-problem"' in response.text
    assert "the SMTP server refused a recipient address." in response.text
    assert value_of(response.text, "compose-to") == REFUSED
    assert smtp_server_refusing.envelopes == [] and await Email.all().count() == 0
    # Nobody listening: the same, never a 500.
    await Mailbox.filter(id=box.id).update(smtp_port=free_port())
    response = await hx_post(client, f"/contacts/{contact.id}/mail/compose", compose_data(box))
    assert response.status_code == 422 and "could not connect to the SMTP server." in response.text
    assert await Email.all().count() == 0


async def test_another_users_mailbox_cannot_be_used(client, signed_in, imap_server, smtp_server_auth):
    owner = await f.make_user("Sales", email="owner@example.com")
    theirs = await make_mailbox(owner, imap_server, smtp_server_auth.port)
    me = await signed_in("Sales")
    mine = await make_mailbox(me, imap_server, smtp_server_auth.port, enabled=False)
    usable = await make_mailbox(me, imap_server, smtp_server_auth.port, email="usable@example.com")
    contact = await f.make_contact(me, email=CUSTOMER)
    for box in (theirs, mine):  # someone else's; my own, disabled
        response = await hx_post(client, f"/contacts/{contact.id}/mail/compose", compose_data(box))
        assert response.status_code == 422 and 'id="error-mailbox_id"' in response.text
        assert "Choose one of your mailboxes." in response.text
        # The choice offered again is the user's own.
        assert re.findall(r'<option value="(\d+)"', response.text) == [str(usable.id)]
    assert smtp_server_auth.envelopes == [] and await Email.all().count() == 0


async def test_records_and_mail_out_of_reach_are_not_found(client, signed_in, imap_server, smtp_server_auth):
    other = await f.make_user("Sales", email="other@example.com")
    their_box = await make_mailbox(other, imap_server, smtp_server_auth.port)
    contact = await f.make_contact(other, email=CUSTOMER)
    deal = await f.make_deal(other, [contact])
    private = await f.make_email(their_box, sender=CUSTOMER, to=("other@example.com",))
    me = await signed_in("Sales")
    box = await make_mailbox(me, imap_server, smtp_server_auth.port)
    for url in (f"/contacts/{contact.id}/mail/compose", f"/deals/{deal.id}/mail/compose",
                f"/mail/emails/{private.id}/reply"):
        assert (await client.get(url, headers=FORM)).status_code == 404, url
        assert (await hx_post(client, url, compose_data(box))).status_code == 404, url
    # A reply naming a deal out of reach: neither offered nor accepted.
    mine = await f.make_email(box, sender=CUSTOMER, to=(me.email,))
    form = (await client.get(f"/mail/emails/{mine.id}/reply?deal_id={deal.id}", headers=FORM)).text
    assert 'name="deal_id"' not in form
    response = await hx_post(client, f"/mail/emails/{mine.id}/reply", compose_data(box, deal_id=str(deal.id)))
    assert response.status_code == 404
    assert smtp_server_auth.envelopes == [] and await Email.filter(sent_from_kizuna=True).count() == 0


async def test_a_post_without_the_csrf_token_is_refused(client, signed_in, imap_server, smtp_server_auth):
    me = await signed_in("Sales")
    contact = await f.make_contact(me, email=CUSTOMER)
    box = await make_mailbox(me, imap_server, smtp_server_auth.port)
    response = await client.post(f"/contacts/{contact.id}/mail/compose", data=compose_data(box), headers=HX)
    assert response.status_code == 403 and smtp_server_auth.envelopes == []


# ---- files -------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 8 * 1024 + b"\r\n%%EOF\r\n"  # 2 MB: more than a form may carry


async def test_files_chosen_on_the_form_arrive_and_are_listed(client, signed_in, imap_server, smtp_server_auth):
    me = await signed_in("Sales", email="me@example.com")
    contact = await f.make_contact(me, email=CUSTOMER)
    box = await make_mailbox(me, imap_server, smtp_server_auth.port)
    form = (await client.get(f"/contacts/{contact.id}/mail/compose", headers=FORM)).text
    assert 'enctype="multipart/form-data"' in form and 'hx-encoding="multipart/form-data"' in form
    assert re.search(r'<input type="file" name="attachments" id="compose-attachments" multiple', form)
    assert "Up to 10 files, 20 MB in all." in form

    files = [("attachments", ("御見積書（株式会社さくら様）.pdf", PDF, "application/octet-stream")),
             ("attachments", ("memo.txt", "メモ\r\n".encode(), "text/html")),  # the browser's claim is ignored
             ("attachments", ("", b"", "application/octet-stream"))]  # a second file input left empty
    response = await hx_post(client, f"/contacts/{contact.id}/mail/compose", compose_data(box), files=files)
    assert response.status_code == 200, response.text[:500]
    [message] = sent(smtp_server_auth)
    assert [(p.get_filename(), p.get_content_type(), p.get_payload(decode=True))
            for p in message.iter_attachments()] == [
        ("御見積書（株式会社さくら様）.pdf", "application/pdf", PDF), ("memo.txt", "text/plain", "メモ\r\n".encode())]

    # The sent e-mail's page lists them; each downloads as sent.
    stored = await Email.get(sent_from_kizuna=True)
    page = (await client.get(f"/mail/emails/{stored.id}")).text
    links = re.findall(r'<a href="(/mail/attachments/\d+)" download>([^<]*)</a>', page)
    assert [name for _, name in links] == ["御見積書（株式会社さくら様）.pdf", "memo.txt"]
    assert (await client.get(links[0][0])).content == PDF


async def test_too_many_or_too_large_files_answer_the_form(client, signed_in, imap_server, smtp_server_auth,
                                                           monkeypatch):
    me = await signed_in("Sales")
    contact = await f.make_contact(me, email=CUSTOMER)
    box = await make_mailbox(me, imap_server, smtp_server_auth.port)
    url = f"/contacts/{contact.id}/mail/compose"
    eleven = [("attachments", (f"{i}.txt", b"x", "text/plain")) for i in range(11)]
    response = await hx_post(client, url, compose_data(box), files=eleven)
    assert response.status_code == 422 and "<html" not in response.text
    assert text_of(response.text, "error-attachments") == "Attach at most 10 files (now 11)."
    # What was typed comes back; the files cannot, and the form says so.
    assert value_of(response.text, "compose-subject") == "ご提案"
    assert 'id="compose-reattach"' in response.text

    monkeypatch.setattr(settings, "MAIL_ATTACHMENTS_MAX_BYTES", 1024 * 1024)
    big = [("attachments", ("big.pdf", PDF, "application/pdf"))]
    response = await hx_post(client, url, compose_data(box), files=big)
    assert response.status_code == 422
    assert text_of(response.text, "error-attachments") == "The attachments may be at most 1 MB in all (now 2.1 MB)."
    # Without htmx: the page, in Japanese for a Japanese user.
    await User.filter(id=me.id).update(language="ja")
    response = await post(client, url, compose_data(box), files=big)
    assert response.status_code == 422 and "<html" in response.text
    assert text_of(response.text, "error-attachments") == "添付ファイルは合計 1 MB までです（現在 2.1 MB）。"
    assert smtp_server_auth.envelopes == [] and await Email.all().count() == 0


async def test_only_the_compose_forms_take_large_bodies(client, signed_in, imap_server):
    me = await signed_in("Sales")
    contact = await f.make_contact(me, email=CUSTOMER)
    box = await make_mailbox(me, imap_server, None)
    csrf = await token(client)
    boundary = "kizunaboundary"
    head = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                   for k, v in {"csrf_token": csrf, **compose_data(box)}.items())
    head += (f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="huge.bin"\r\n'
             "Content-Type: application/octet-stream\r\n\r\n")
    chunk = b"\0" * 65536

    class Huge:
        sent = 0

        async def __aiter__(self):
            yield head.encode()
            while self.sent < 300 * 1024 * 1024:
                self.sent += len(chunk)
                yield chunk

    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Accept-Language": "en"}
    for url in (f"/contacts/{contact.id}/mail/compose", f"/contacts/{contact.id}/edit"):
        body = Huge()
        response = await client.post(url, content=body, headers=headers)
        assert response.status_code == 413, url
        limit = mail_compose_limit() if "compose" in url else settings.FORM_MAX_BYTES
        assert limit - len(chunk) <= body.sent <= limit + len(chunk), url
    assert response.text == "The request is too large. At most 1 MB can be sent here."
    # Files come multipart: anything else sent there is held to a form's limit.
    body = Huge()
    response = await client.post(f"/contacts/{contact.id}/mail/compose", content=body,
                                 headers={**headers, "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413 and body.sent <= settings.FORM_MAX_BYTES + len(chunk)


# ---- reply all, and the original's files -------------------------------------------------------


async def test_reply_all_writes_to_everyone_else(client, signed_in, imap_server, smtp_server_auth):
    me = await signed_in("Sales", email="me@example.com")
    box = await make_mailbox(me, imap_server, smtp_server_auth.port)
    original = await f.make_email(box, sender=CUSTOMER, to=("ME@example.com", "colleague@example.com"),
                                  cc=("boss@example.com", "Colleague@Example.com", "me@example.com"),
                                  subject="Estimate request")
    page = (await client.get(f"/mail/emails/{original.id}")).text
    assert f'id="reply-all-email" href="/mail/emails/{original.id}/reply?all=1"' in page
    form = (await client.get(f"/mail/emails/{original.id}/reply?all=1", headers=FORM)).text
    assert "<legend>Reply all</legend>" in form
    assert value_of(form, "compose-to") == CUSTOMER
    assert value_of(form, "compose-cc") == "colleague@example.com, boss@example.com"
    assert f'action="/mail/emails/{original.id}/reply?all=1"' in form
    # Reply alone: the sender only.
    form = (await client.get(f"/mail/emails/{original.id}/reply", headers=FORM)).text
    assert value_of(form, "compose-cc") == "" and "<legend>Reply</legend>" in form

    response = await hx_post(client, f"/mail/emails/{original.id}/reply?all=1", compose_data(
        box, cc="colleague@example.com, boss@example.com", subject="Re: Estimate request"))
    assert response.status_code == 200
    assert sorted(smtp_server_auth.envelopes[0].rcpt_tos) == ["boss@example.com", "colleague@example.com", CUSTOMER]


async def test_a_reply_sends_the_originals_files_when_ticked(client, signed_in, imap_server, smtp_server_auth):
    me = await signed_in("Sales", email="me@example.com")
    box = await make_mailbox(me, imap_server, smtp_server_auth.port)
    original = await f.make_email(box, sender=CUSTOMER, subject="注文", attachments=(
        ("注文書.pdf", "application/pdf", b"%PDF order"), ("仕様.txt", "text/plain", "仕様".encode())))
    order, spec = await EmailAttachment.filter(email_id=original.id).order_by("id")
    form = (await client.get(f"/mail/emails/{original.id}/reply", headers=FORM)).text
    assert re.findall(r'name="attachment_ids" value="(\d+)" id="compose-original-\d+"(?: checked)?>', form) == [
        str(order.id), str(spec.id)]
    assert " checked" not in form  # none unless ticked

    url = f"/mail/emails/{original.id}/reply"
    # Refused for another reason: the ticked box stays ticked.
    refused = await hx_post(client, url, {**compose_data(box, subject=""), "attachment_ids": [str(spec.id)]})
    assert refused.status_code == 422 and f'id="compose-original-{spec.id}" checked>' in refused.text
    assert 'id="compose-reattach"' not in refused.text  # nothing was uploaded

    response = await hx_post(client, url, {**compose_data(box), "attachment_ids": [str(spec.id)]},
                             files=[("attachments", ("受領書.txt", "受領".encode(), "text/plain"))])
    assert response.status_code == 200
    [message] = sent(smtp_server_auth)
    assert [(p.get_filename(), p.get_payload(decode=True)) for p in message.iter_attachments()] == [
        ("仕様.txt", "仕様".encode()), ("受領書.txt", "受領".encode())]

    # A file of mail the user may not see, slipped into the form: not found, nothing sent.
    other = await f.make_user("Sales", email="other@example.com")
    hidden = await f.make_email(await make_mailbox(other, imap_server, None), sender=CUSTOMER,
                                to=("other@example.com",), attachments=(("秘密.pdf", "application/pdf", b"%PDF"),))
    secret = await EmailAttachment.get(email_id=hidden.id)
    response = await hx_post(client, url, {**compose_data(box), "attachment_ids": [str(secret.id)]})
    assert response.status_code == 404 and len(smtp_server_auth.envelopes) == 1
