"""E-mail into the CRM without IMAP (issue 14): .eml and Outlook .msg files uploaded, read for
what their bytes are, stored as fetched mail is, seen by their uploader only, added to the record
they were dropped on; bad files refused with a message naming them."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.header import Header
from email.utils import formataddr, format_datetime
from pathlib import Path

import pytest

from app import settings
from app.errors import Conflict, NotFound, PermissionDenied, ValidationError
from app.mail import outlook, uploads
from app.mail.mime import parse
from app.mail.uploads import UploadedFile
from app.models import (
    Case,
    Email,
    EmailAttachment,
    EmailDeal,
    EmailLink,
    EmailParticipant,
    EmailUpload,
    Lead,
    StageCategory,
)
from app.permissions import Principal
from app.services import email_actions as actions
from app.services import mail
from tests import factories as f
from tests.mail import msgfile

pytestmark = pytest.mark.usefixtures("db")
FILES = Path(__file__).parent / "files"
PDF = b"%PDF-1.4 mitsumori " + bytes(range(256))


def eml(*, sender=("山田 太郎", "yamada@example.jp"), to="me@example.com", subject="お見積りの件",
        text="お世話になっております。\n見積書を添付いたします。", charset="utf-8",
        attachments=(("見積書.pdf", PDF),), message_id="<upload-1@example.jp>") -> bytes:
    """An .eml as a mail client saves one: UTF-8 or ISO-2022-JP (the Japanese mail of old)."""
    body = MIMEText(text, "plain", charset)
    message = MIMEMultipart("mixed", _subparts=[body]) if attachments else body
    for name, data in attachments:
        part = MIMEApplication(data, "pdf")
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", name))
        message.attach(part)
    message["From"] = formataddr(sender, charset=charset)
    message["To"] = to
    message["Subject"] = Header(subject, charset).encode()
    message["Date"] = format_datetime(datetime(2026, 11, 2, 10, 30, tzinfo=UTC))
    if message_id:
        message["Message-ID"] = message_id
    return message.as_bytes()


async def _me(role: str = "Sales"):
    user = await f.make_user(role)
    return user, await Principal.load(user)


async def _up(p, *datas: bytes, names=None, **kw) -> list[Email]:
    names = names or [f"mail{i}.eml" for i in range(len(datas))]
    return await uploads.upload(p, [UploadedFile(n, d) for n, d in zip(names, datas)], **kw)


# ---- reading files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("charset", ["utf-8", "iso-2022-jp"])
async def test_an_eml_is_stored_with_its_participants_body_and_files(charset):
    me, p = await _me()
    [email] = await _up(p, eml(charset=charset))
    assert (email.subject, email.from_name, email.from_email) == ("お見積りの件", "山田 太郎", "yamada@example.jp")
    assert "見積書を添付いたします。" in email.text_body and email.body_parsed and not email.malformed
    assert email.message_id == "upload-1@example.jp" and email.thread_id == email.id
    files = await EmailAttachment.filter(email_id=email.id).values_list("filename", "content_type", "size")
    assert files == [("見積書.pdf", "application/pdf", len(PDF))]
    people = await EmailParticipant.filter(email_id=email.id).order_by("id").values_list("role", "address")
    assert [(str(r), a) for r, a in people] == [("from", "yamada@example.jp"), ("to", "me@example.com")]
    assert await EmailUpload.filter(email_id=email.id).values_list("user_id", flat=True) == [me.id]


async def test_an_uploaded_email_is_seen_by_its_uploader_only():
    me, p = await _me()
    other, other_p = await _me("Manager")
    [email] = await _up(p, eml())
    assert await mail.visible(p).filter(id=email.id).exists()
    assert await mail.visible(p, mail.MailFilter(mail.Source.UPLOADED)).filter(id=email.id).exists()
    assert not await mail.visible(other_p).filter(id=email.id).exists()
    with pytest.raises(NotFound):
        await mail.get_email(other_p, email.id)
    # the other user uploads it too: they hold it as well, still one e-mail
    [again] = await _up(other_p, eml())
    assert again.id == email.id and await Email.all().count() == 1
    assert await mail.visible(other_p).filter(id=email.id).exists()


async def test_the_same_message_uploaded_twice_is_stored_once():
    me, p = await _me()
    [first] = await _up(p, eml())
    [second, third] = await _up(p, eml(), eml(message_id="<upload-2@example.jp>"))
    assert second.id == first.id and third.id != first.id
    assert await Email.all().count() == 2 and await EmailUpload.all().count() == 2
    assert await EmailAttachment.filter(email_id=first.id).count() == 1  # not twice


async def test_a_message_without_id_is_the_same_by_its_content():
    me, p = await _me()
    data = eml(message_id=None)
    [first] = await _up(p, data)
    [second] = await _up(p, data)
    assert first.id == second.id and first.key.startswith("sha256:")


async def test_a_forged_copy_of_a_hidden_message_opens_nothing():
    """Another user's private mail is not revealed by uploading a file with its Message-ID,
    sender, date and subject: only the same content is the same e-mail."""
    owner, _ = await _me()
    box = await f.make_mailbox(owner)
    hidden = await f.make_email(box, sender="山田 太郎 <yamada@example.jp>", subject="お見積りの件",
                                text="社外秘の本文", message_id="<secret@example.jp>",
                                sent_at=datetime(2026, 11, 2, 10, 30, tzinfo=UTC))
    me, p = await _me()
    with pytest.raises(Conflict):
        await _up(p, eml(message_id="<secret@example.jp>", text="推測", attachments=()))
    with pytest.raises(NotFound):
        await mail.get_email(p, hidden.id)
    assert not await EmailUpload.exists()


async def test_removing_a_mailbox_keeps_the_mail_a_user_uploaded():
    """An upload is a holding like a mailbox's copy: the mail stays when the mailbox goes."""
    from app.services import mailboxes

    me, p = await _me()
    box = await f.make_mailbox(me)
    held = await f.make_email(box, subject="両方にある", message_id="<both@example.jp>")
    only_box = await f.make_email(box, subject="受信箱だけ")
    [mine] = await _up(p, eml(subject="別のメール", message_id="<other@example.jp>"))
    await EmailUpload.create(email_id=held.id, user_id=me.id)  # as if uploaded: the same message
    await mailboxes.remove(p, box.id)
    assert set(await Email.all().values_list("id", flat=True)) == {held.id, mine.id}
    assert not await Email.filter(id=only_box.id).exists()
    assert await mail.visible(p).filter(id=held.id).exists()


async def test_an_eml_without_attachments_when_asked():
    me, p = await _me()
    [email] = await _up(p, eml(), include_attachments=False)
    assert "見積書を添付いたします。" in email.text_body
    assert not await EmailAttachment.filter(email_id=email.id).exists()


async def test_an_outlook_msg_is_read_from_its_properties():
    """A real .msg (MSGReader's sample files, MIT): sender, recipients by type, date, files."""
    me, p = await _me()
    [email] = await _up(p, (FILES / "EmailWithAttachments.msg").read_bytes(), names=["x.msg"])
    assert (email.subject, email.from_name, email.from_email) == ("This is the subject", "Kees",
                                                                  "peterpan@neverland.com")
    assert email.text_body.startswith("Hello Neverland text") and email.html_body
    people = await EmailParticipant.filter(email_id=email.id).order_by("id").values_list("role", "address")
    assert [(str(r), a) for r, a in people] == [("from", "peterpan@neverland.com"),
                                                ("to", "crocodile@neverland.com"),
                                                ("cc", "tinkerbel@neverland.com")]
    files = await EmailAttachment.filter(email_id=email.id).order_by("id").values_list(
        "filename", "content_type", "inline")
    assert sorted(files) == [("peterpan.jpg", "image/jpeg", False), ("tinkerbell.jpg", "image/jpeg", True)]


async def test_an_outlook_msg_with_internet_headers_and_8_bit_strings():
    """Received mail keeps its internet headers (Message-ID, Date...); 8-bit string properties
    are read in the message's code page (msg_parser reads them as UTF-16: nonsense)."""
    me, p = await _me()
    data = (FILES / "EmailWithSpecialCharsInSubject.msg").read_bytes()
    [email] = await _up(p, data, names=["special.msg"])
    assert email.subject.startswith("Un sujet bien défini Àéroport mañana")
    assert email.from_email == "julie.clarebots@qbere.com" and email.message_id.startswith("CY5PR02MB8965")
    assert (await _up(p, data, names=["again.msg"]))[0].id == email.id  # stored once


JP_MSG = {"subject": "【至急】御見積書送付のお願い", "sender_name": "山田 太郎", "sender_email": "yamada@example.jp",
          "body": "いつもお世話になっております。\r\n①髙橋様宛の資料です。", "html": "<p>いつも<b>お世話に</b>なっております。</p>",
          "sent": datetime(2026, 11, 2, 1, 2, 3, tzinfo=UTC), "message_id": "<jp-msg@example.jp>",
          "recipients": (("営業部 鈴木", "suzuki@example.com", 1), ("", "cc@example.com", 2), ("", "bcc@example.com", 3)),
          "attachments": (("御見積書.pdf", "application/pdf", PDF * 20), ("メモ.txt", "text/plain", "短いメモ".encode()))}


def test_the_test_msg_writer_is_read_by_an_independent_reader(tmp_path):
    """tests/mail/msgfile.py writes what msg_parser (its own OLE and MAPI reading) reads back."""
    from msg_parser import MsOxMessage

    path = tmp_path / "jp.msg"
    path.write_bytes(msgfile.write_msg(**JP_MSG))
    read = MsOxMessage(str(path))
    assert (read.get_properties()["Subject"], read.get_properties()["SenderName"]) == (JP_MSG["subject"], "山田 太郎")
    assert [a.AttachLongFilename for a in read.attachments] == ["御見積書.pdf", "メモ.txt"]
    # A stream over 4 KB (regular sectors, not the mini stream). msg_parser drops every NUL byte
    # of a binary property, so it is compared without them (one reason Kizuna does not use it).
    assert read.attachments[0].data == (PDF * 20).replace(b"\x00", b"")


@pytest.mark.parametrize("codepage", [None, 932], ids=["unicode", "shift_jis-8-bit"])
async def test_a_japanese_outlook_msg_is_stored_intact(codepage):
    """Japanese in UTF-16 properties, and as 8-bit strings in code page 932 (Japanese ANSI
    Outlook): subject, names, bodies, file names; To and Cc by recipient type, no Bcc."""
    me, p = await _me()
    [email] = await _up(p, msgfile.write_msg(**JP_MSG, codepage=codepage), names=["見積.msg"])
    assert (email.subject, email.from_name, email.from_email) == (
        "【至急】御見積書送付のお願い", "山田 太郎", "yamada@example.jp")
    assert "①髙橋様宛の資料です。" in email.text_body and "お世話に" in email.html_body
    assert email.message_id == "jp-msg@example.jp" and email.sent_at == JP_MSG["sent"]
    people = await EmailParticipant.filter(email_id=email.id).order_by("id").values_list("role", "address", "name")
    assert [(str(r), a, n) for r, a, n in people] == [("from", "yamada@example.jp", "山田 太郎"),
                                                      ("to", "suzuki@example.com", "営業部 鈴木"),
                                                      ("cc", "cc@example.com", "")]
    files = await EmailAttachment.filter(email_id=email.id).order_by("id").values_list("filename", "content_type",
                                                                                      "size")
    assert files == [("御見積書.pdf", "application/pdf", len(PDF) * 20), ("メモ.txt", "text/plain", 12)]


async def test_a_received_msg_keeps_its_internet_headers_and_joins_its_thread():
    """PR_TRANSPORT_MESSAGE_HEADERS: the original From, Date, Message-ID, In-Reply-To and
    List-Id are the message's (threading and bulk detection as for IMAP mail)."""
    me, p = await _me()
    [question] = await _up(p, eml(message_id="<question@example.jp>"))
    headers = ("Received: from mx.example.jp by mail.example.com; Mon, 2 Nov 2026 12:00:00 +0900\r\n"
               "From: =?UTF-8?B?5bGx55SwIOWkqumDjg==?= <yamada@example.jp>\r\nTo: me@example.com\r\n"
               "Subject: =?UTF-8?B?UmU6IOOBiuimi+epjeOCiuOBruS7tg==?=\r\n"
               "Date: Mon, 2 Nov 2026 12:00:00 +0900\r\nMessage-ID: <answer@example.jp>\r\n"
               "In-Reply-To: <question@example.jp>\r\nReferences: <question@example.jp>\r\n"
               "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"gone\"\r\n\r\n")
    data = msgfile.write_msg(subject="Re: お見積りの件", sender_name="Exchange Name", sender_email="/O=EXCHANGE/CN=X",
                             body="承知しました。", headers=headers)
    [answer] = await _up(p, data, names=["answer.msg"])
    assert (answer.subject, answer.from_name, answer.from_email) == ("Re: お見積りの件", "山田 太郎", "yamada@example.jp")
    assert answer.message_id == "answer@example.jp" and answer.thread_id == question.id
    assert answer.text_body.strip() == "承知しました。" and not answer.malformed
    listed = msgfile.write_msg(subject="News", sender_name="", sender_email="news@example.jp", body="x",
                               headers="From: news@example.jp\r\nList-Id: <news.example.jp>\r\n\r\n")
    [bulk] = await _up(p, listed, names=["news.msg"])
    assert bulk.is_bulk


def test_a_japanese_outlook_message_becomes_the_same_rfc_5322_message():
    message = outlook.OutlookMessage(
        subject="【至急】御見積書送付のお願い", sender_name="山田 太郎", sender_address="yamada@example.jp",
        date=datetime(2026, 11, 2, 1, 2, 3, tzinfo=UTC), message_id="<jp-1@example.jp>",
        text="いつもお世話になっております。\r\n①髙橋様宛の資料です。", html="<p>いつも<b>お世話に</b>なっております。</p>",
        recipients=[outlook.Recipient("営業部 鈴木", "suzuki@example.com", 1),
                    outlook.Recipient("", "cc@example.com", 2), outlook.Recipient("", "bcc@example.com", 3)],
        attachments=[outlook.Attachment("御見積書.pdf", "application/pdf", PDF)])
    parsed = parse(outlook.to_rfc5322(message))
    assert (parsed.subject, parsed.sender.name, parsed.sender.address) == (
        "【至急】御見積書送付のお願い", "山田 太郎", "yamada@example.jp")
    assert [(a.name, a.address) for a in parsed.to] == [("営業部 鈴木", "suzuki@example.com")]
    assert [a.address for a in parsed.cc] == ["cc@example.com"]  # Bcc is not written
    assert parsed.date == message.date and parsed.message_id == "jp-1@example.jp"
    assert "①髙橋様宛の資料です。" in parsed.text and "お世話に" in parsed.html
    assert [(a.filename, a.content_type, a.data) for a in parsed.attachments] == [
        ("御見積書.pdf", "application/pdf", PDF)]
    assert not parsed.malformed, parsed.defects


# ---- bad files ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "data", "message"), [
    ("random.msg", os.urandom(4096), "is not an e-mail"),
    ("empty.eml", b"", "is empty"),
    ("broken.msg", outlook.MAGIC + os.urandom(4000), "cannot be read"),
    ("text.eml", "ただのテキストです。\n".encode() * 10, "is not an e-mail"),
    ("archive.eml", b"PK\x03\x04" + os.urandom(500), "is not an e-mail"),
])
async def test_bad_files_are_refused_by_name(name, data, message):
    me, p = await _me()
    with pytest.raises(ValidationError) as refused:
        await _up(p, eml(), data, names=["good.eml", name])
    [error] = refused.value.errors
    assert error.field == "files" and name in error.message and message in error.message
    assert not await Email.exists()  # nothing stored, the good file neither


async def test_an_outlook_item_that_is_no_mail():
    me, p = await _me()
    document = msgfile.compound_file(msgfile.Node("Root Entry", msgfile.ROOT, children=[
        msgfile.Node("WordDocument", msgfile.STREAM, b"\x00" * 600)]))  # an old Word file: OLE, no MAPI
    with pytest.raises(ValidationError) as refused:
        await _up(p, document, names=["見積.doc"])
    assert refused.value.errors[0].message == "“見積.doc” is not an e-mail. Upload .eml files or Outlook .msg files."
    card = msgfile.write_msg(subject="山田 太郎", sender_name="", sender_email="", message_class="IPM.Contact")
    with pytest.raises(ValidationError) as refused:
        await _up(p, card, names=["card.msg"])
    assert refused.value.errors[0].message == "“card.msg” is an Outlook item but not an e-mail."


async def test_too_large_and_too_many(monkeypatch):
    me, p = await _me()
    monkeypatch.setattr(settings, "MAIL_UPLOAD_MAX_BYTES", 50_000)
    huge = eml(attachments=(("bomb.zip", b"\x00" * 60_000),))
    with pytest.raises(ValidationError) as refused:
        await _up(p, huge, names=["bomb.eml"])
    assert "bomb.eml" in refused.value.errors[0].message and "too large" in refused.value.errors[0].message
    with pytest.raises(ValidationError) as refused:
        await _up(p, *[eml()] * 50)
    assert "at most 10 files" in refused.value.errors[0].message
    with pytest.raises(ValidationError):
        await _up(p)
    assert not await Email.exists()


# ---- onto records, and the actions after ------------------------------------------------------------


async def test_uploaded_onto_a_contact_it_is_on_the_contacts_mail():
    me, p = await _me()
    contact = await f.make_contact(me, email="someone-else@example.jp")  # not the sender's address
    [email] = await _up(p, eml(), record_type="contact", record_id=contact.id)
    assert await EmailLink.filter(email_id=email.id, contact_id=contact.id).exists()
    assert [e.id for e in await (await mail.mail_of(p, contact))] == [email.id]


async def test_deal_association_rules_apply():
    """Seed 004: the sender is a contact with one open deal: the e-mail is associated with it."""
    me, p = await _me()
    yamada = await f.make_contact(me, email="Yamada@example.jp")
    await f.make_deal(me, [yamada], name="Lost", stage=await f.stage(StageCategory.LOST))
    deal = await f.make_deal(me, [yamada], name="Open")
    [email] = await _up(p, eml())
    link = await EmailDeal.get(email_id=email.id)
    assert (link.deal_id, link.contact_id, link.automatic) == (deal.id, yamada.id, True)


async def test_uploaded_onto_a_deal_it_is_associated_with_it():
    me, p = await _me()
    yamada = await f.make_contact(me, email="yamada@example.jp")
    await f.make_deal(me, [yamada], name="Open")  # the rules would choose this one
    chosen = await f.make_deal(me, name="Chosen")
    [email] = await _up(p, eml(), record_type="deal", record_id=chosen.id)
    link = await EmailDeal.get(email_id=email.id)
    assert (link.deal_id, link.automatic) == (chosen.id, False)


async def test_a_record_one_may_not_edit_takes_no_upload():
    me, p = await _me()
    other, _ = await _me()
    hidden = await f.make_contact(other, email="x@example.jp")
    with pytest.raises((NotFound, PermissionDenied)):
        await _up(p, eml(), record_type="contact", record_id=hidden.id)
    assert not await Email.exists()  # checked before anything is stored
    with pytest.raises(ValidationError):
        await _up(p, eml(), record_type="invoice", record_id=1)


async def test_from_an_upload_a_lead_and_a_case_only_for_an_existing_contact():
    me, p = await _me()
    [email] = await _up(p, eml())
    with pytest.raises(ValidationError):
        await actions.create_case(p, email.id, "escalated")
    lead = await actions.create_lead_from_sender(p, email.id)
    assert (lead.last_name, lead.first_name, lead.email) == ("山田", "太郎", "yamada@example.jp")
    assert await Lead.filter(id=lead.id).exists()
    contact = await actions.create_contact_from_sender(p, email.id)
    case = await actions.create_case(p, email.id, "escalated", include_attachments=True)
    assert (case.subject, case.status, case.contact_id, case.email) == (
        "お見積りの件", "escalated", contact.id, "yamada@example.jp")
    assert "見積書を添付いたします。" in case.description
    assert await Case.all().count() == 1


# ---- the pages ----------------------------------------------------------------------------------------


async def _signed_in(client, role: str = "Sales"):
    from tests.views.conftest import login

    user = await f.make_user(role)
    assert (await login(client, user)).status_code == 303
    return user


async def _post_files(client, url: str, files: list[tuple[str, bytes]], data: dict | None = None, htmx: bool = True):
    from tests.views.conftest import HX, token

    headers = {**HX, "X-CSRF-Token": await token(client)} if htmx else {}
    fields = data if data is not None else {"form": "1", "attachments": "1"}
    if not htmx:
        fields = {**fields, "csrf_token": await token(client)}
    return await client.post(url, data=fields, files=[("files", (n, d, "application/octet-stream")) for n, d in files],
                             headers=headers)


async def test_upload_onto_a_contact_page_shows_it_in_the_contacts_mail(client):
    me = await _signed_in(client)
    contact = await f.make_contact(me, email="other@example.jp")
    page = await client.get(f"/contacts/{contact.id}")
    assert 'id="mail-upload-files"' in page.text and "/static/js/mail_upload.js" in page.text
    answer = await _post_files(client, f"/contacts/{contact.id}/mail/upload", [("見積.eml", eml())])
    assert answer.status_code == 200 and answer.headers["HX-Trigger"] == "mail-uploaded"
    assert "1 e-mail added." in answer.text
    listing = await client.get(f"/contacts/{contact.id}/mail", headers={"HX-Request": "true"})
    assert "お見積りの件" in listing.text
    # without the attachments, by the checkbox left empty
    answer = await _post_files(client, f"/contacts/{contact.id}/mail/upload",
                               [("b.eml", eml(message_id="<b@example.jp>"))], data={"form": "1"})
    email = await Email.get(message_id="b@example.jp")
    assert answer.status_code == 200 and not await EmailAttachment.filter(email_id=email.id).exists()
    # a plain form: back to the record's Mail page
    plain = await _post_files(client, f"/contacts/{contact.id}/mail/upload",
                              [("c.eml", eml(message_id="<c@example.jp>"))], htmx=False)
    assert plain.status_code == 303 and plain.headers["location"] == f"/contacts/{contact.id}/mail"


async def test_hostile_uploads_get_clear_4xx_messages(client, monkeypatch):
    me = await _signed_in(client)
    contact = await f.make_contact(me)
    url = f"/contacts/{contact.id}/mail/upload"
    for name, data, message in [("random.msg", os.urandom(2048), "“random.msg” is not an e-mail"),
                                ("empty.eml", b"", "“empty.eml” is empty"),
                                ("broken.msg", outlook.MAGIC + os.urandom(2048), "cannot be read")]:
        answer = await _post_files(client, url, [(name, data)])
        assert answer.status_code == 422 and message in answer.text, name
    many = await _post_files(client, url, [(f"{i}.eml", eml(message_id=f"<{i}@x>")) for i in range(50)])
    assert many.status_code == 422 and "Upload at most 10 files at once." in many.text
    # a body over the route's limit is refused while it streams in (app.limits: 413, translated)
    from views.mail import uploads as upload_views

    limited = [r for r in upload_views.routes if getattr(r, "max_body_bytes", None)]
    assert len(limited) == 4 and {r.max_body_bytes for r in limited} == {upload_views.body_limit()}
    monkeypatch.setattr(settings, "MAIL_UPLOAD_MAX_BYTES", 40_000)
    bomb = await _post_files(client, url, [("bomb.eml", eml(attachments=(("bomb.zip", os.urandom(35_000)),)))])
    assert bomb.status_code == 422 and "“bomb.eml” is too large: at most" in bomb.text
    nothing = await _post_files(client, url, [])
    assert nothing.status_code == 422 and "Choose one or more .eml or Outlook .msg files." in nothing.text
    assert not await Email.exists()


async def test_a_record_one_may_not_see_takes_no_upload(client):
    owner = await f.make_user("Sales")
    hidden = await f.make_contact(owner)
    await _signed_in(client)
    answer = await _post_files(client, f"/contacts/{hidden.id}/mail/upload", [("a.eml", eml())])
    assert answer.status_code in (403, 404)
    assert not await Email.exists()


async def test_the_mail_page_uploads_and_offers_the_actions(client):
    me = await _signed_in(client)
    page = await client.get("/mail")
    assert page.status_code == 200 and 'id="mail-upload-files"' in page.text and "mail-empty" in page.text
    one = await _post_files(client, "/mail/upload", [("a.msg", (FILES / "EmailWithAttachments.msg").read_bytes())])
    email = await Email.get(subject="This is the subject")
    assert one.headers["HX-Location"] == f"/mail/emails/{email.id}"  # lands on the e-mail, with its actions
    two = await _post_files(client, "/mail/upload", [("b.eml", eml()), ("c.eml", eml(message_id="<c@x>"))])
    assert two.status_code == 200 and "2 e-mails stored." in two.text
    assert two.text.count('class="mail-actions"') == 2  # each with the actions menu
    listed = await client.get("/mail")
    assert "This is the subject" in listed.text and "お見積りの件" in listed.text
    menu = await client.get(f"/mail/{email.id}/actions", headers={"HX-Request": "true"})
    assert "Create a lead from the sender" in menu.text and "Add it to a lead, contact or deal" in menu.text
    assert "Add as a case" not in menu.text  # no contact yet: seed 003 makes cases for contacts only
    await f.make_contact(me, email="peterpan@neverland.com")
    menu = await client.get(f"/mail/{email.id}/actions", headers={"HX-Request": "true"})
    assert "Add as a case" in menu.text


# ---- GraphQL ---------------------------------------------------------------------------------------------

UPLOAD = """mutation($f: String!, $c: String!, $r: ID, $a: Boolean! = true) {
  uploadEmail(filename: $f, content: $c, recordId: $r, includeAttachments: $a) { __typename
    ... on UploadEmailPayload { email { id subject from { name address } attachments { filename } } }
    ... on ValidationError { fields { path message } } ... on NotFound { message } ... on Conflict { message } } }"""


async def test_upload_email_through_graphql(client):
    import base64

    from tests.graphql.conftest import GraphQLClient, gid

    gql = GraphQLClient(client)
    me, _ = await _me()
    contact = await f.make_contact(me, email="other@example.jp")
    data = base64.b64encode(eml()).decode()
    result = (await gql(me, UPLOAD, {"f": "a.eml", "c": data, "r": gid("Contact", contact.id)}))["uploadEmail"]
    assert result["__typename"] == "UploadEmailPayload"
    assert result["email"]["subject"] == "お見積りの件" and result["email"]["attachments"] == [{"filename": "見積書.pdf"}]
    email = await Email.get(subject="お見積りの件")
    assert await EmailLink.filter(email_id=email.id, contact_id=contact.id).exists()
    msg = base64.b64encode((FILES / "EmailWithAttachments.msg").read_bytes()).decode()
    result = (await gql(me, UPLOAD, {"f": "b.msg", "c": msg, "a": False}))["uploadEmail"]
    assert result["email"]["from"] == {"name": "Kees", "address": "peterpan@neverland.com"}
    assert result["email"]["attachments"] == [{"filename": "tinkerbell.jpg"}]  # the HTML's image stays, not the file
    for content, path, message in [("not base64!", "content", "must be base64"),
                                   (base64.b64encode(os.urandom(100)).decode(), "files", "is not an e-mail")]:
        refused = (await gql(me, UPLOAD, {"f": "x.msg", "c": content}))["uploadEmail"]
        assert refused["__typename"] == "ValidationError" and message in refused["fields"][0]["message"]
    other = await f.make_contact(await f.make_user("Sales"))
    hidden = (await gql(me, UPLOAD, {"f": "a.eml", "c": data, "r": gid("Contact", other.id)}))["uploadEmail"]
    assert hidden["__typename"] == "NotFound"
    lead_by_wrong_type = (await gql(me, UPLOAD, {"f": "a.eml", "c": data, "r": gid("Task", 1)}))["uploadEmail"]
    assert lead_by_wrong_type["__typename"] == "NotFound"
