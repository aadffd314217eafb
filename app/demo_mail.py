"""Demo mail: the administrator's mailbox, shared with every user, holding a few weeks of mail with
the demo company's contacts and leads — stored through the real store (app.mail.store), so
participants, threads, attachments and deal associations are what a sync would make.

There is no server behind it (imap.kizuna.example): the mailbox is disabled, so nothing tries to
fetch from it; its mail stays, as it does for any disabled mailbox. Its deal associations were
made as a sync of an enabled mailbox makes them, to show them; disabling it in the settings would
remove them (seed 004, rule 7), as for any mailbox.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from app.mail.store import Incoming, store_batch
from app.models import Contact, DealContact, Lead, Mailbox, MailboxSharing, MailFolder, StageCategory, User


def _message(*, sender: tuple[str, str], to: list[tuple[str, str]], subject: str, body: str, when: datetime,
             message_id: str, cc: list[tuple[str, str]] = (), reply_to: str = "", headers: dict | None = None,
             attachment: tuple[str, str, bytes] | None = None) -> bytes:
    def address(pair: tuple[str, str]) -> str:
        name, addr = pair
        return f"{name} <{addr}>" if name else addr

    msg = EmailMessage()
    msg["From"] = address(sender)
    msg["To"] = ", ".join(address(p) for p in to)
    if cc:
        msg["Cc"] = ", ".join(address(p) for p in cc)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<{message_id}@demo.kizuna.example>"
    if reply_to:
        msg["In-Reply-To"] = msg["References"] = f"<{reply_to}@demo.kizuna.example>"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if attachment:
        filename, content_type, data = attachment
        maintype, subtype = content_type.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


def _name(person) -> str:
    return f"{person.last_name} {person.first_name}".strip()


async def _contacts_with_one_open_deal(count: int) -> list[Contact]:
    """Contacts in exactly one open deal: their mail is associated with it (seed 004, rule 1)."""
    rows = await DealContact.filter(deal__stage__category=StageCategory.OPEN).order_by("contact_id").values_list(
        "contact_id", "deal_id")
    deals_of: dict[int, set[int]] = {}
    for contact_id, deal_id in rows:
        deals_of.setdefault(contact_id, set()).add(deal_id)
    ids = [c for c, deals in deals_of.items() if len(deals) == 1][:count]
    return list(await Contact.filter(id__in=ids).order_by("id"))


async def load_mail_demo(admin: User, now: datetime | None = None) -> Mailbox:
    now = now or datetime.now(UTC)
    mailbox = await Mailbox.create(
        owner_id=admin.id, email=admin.email, imap_host="imap.kizuna.example", imap_port=993,
        username=admin.email, password="demo-password", sharing=MailboxSharing.ALL, enabled=False,
        connected_at=now - timedelta(days=30), last_sync_at=now - timedelta(days=1))
    inbox = await MailFolder.create(mailbox_id=mailbox.id, name="INBOX", uidvalidity=1)
    sent = await MailFolder.create(mailbox_id=mailbox.id, name="Sent", is_sent=True, uidvalidity=1)
    me = (admin.name, admin.email)
    people = await _contacts_with_one_open_deal(3)
    lead = await Lead.all().order_by("id").first()
    incoming: list[bytes] = []
    outgoing: list[bytes] = []
    if people:
        first = people[0]
        incoming.append(_message(
            sender=(_name(first), first.email), to=[me], subject="お見積りのお願い", message_id="estimate-request",
            when=now - timedelta(days=6, hours=3),
            body=f"{admin.name} 様\n\nいつもお世話になっております。{_name(first)}です。\n"
                 "添付の要件で、お見積りをお願いできますでしょうか。\n\nよろしくお願いいたします。\n",
            attachment=("要件メモ.txt", "text/plain", "・ライセンス 50\n・導入支援 一式\n".encode())))
        outgoing.append(_message(
            sender=me, to=[(_name(first), first.email)], subject="Re: お見積りのお願い", message_id="estimate-reply",
            reply_to="estimate-request", when=now - timedelta(days=5, hours=20),
            body=f"{_name(first)} 様\n\nお問い合わせありがとうございます。\n今週中にお見積りをお送りいたします。\n"))
    if len(people) > 1:
        second = people[1]
        cc = [(_name(people[2]), people[2].email)] if len(people) > 2 else []
        incoming.append(_message(
            sender=(_name(second), second.email), to=[me], cc=cc, subject="打ち合わせ日程のご相談",
            message_id="meeting", when=now - timedelta(days=3, hours=5),
            body="来週のお打ち合わせですが、火曜日の午後はいかがでしょうか。\n"))
    if lead is not None:
        incoming.append(_message(
            sender=(_name(lead), lead.email), to=[me], subject="資料請求", message_id="brochure",
            when=now - timedelta(days=2, hours=1), body="製品資料をお送りいただけますか。\n"))
    incoming.append(_message(
        sender=("Kizuna News", "news@newsletter.kizuna.example"), to=[me], subject="月刊ニュースレター",
        message_id="newsletter", when=now - timedelta(days=1, hours=8), body="今月のお知らせです。\n",
        headers={"List-Id": "<news.newsletter.kizuna.example>", "Precedence": "bulk"}))
    await store_batch(mailbox, inbox, [Incoming(uid, raw) for uid, raw in enumerate(incoming, start=1)])
    if outgoing:
        await store_batch(mailbox, sent, [Incoming(uid, raw) for uid, raw in enumerate(outgoing, start=1)])
    return mailbox
