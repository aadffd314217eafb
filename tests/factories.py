"""Async factories: believable records with overridable fields."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from app.auth import HASHER
from app.models import (
    Access,
    Account,
    Case,
    Contact,
    Deal,
    DealContact,
    Event,
    Lead,
    Role,
    SharingRule,
    Stage,
    StageCategory,
    Task,
    User,
)
from app.permissions import Principal

_seq = itertools.count(1)
PASSWORD = "correct horse battery"
# Hashing with argon2 is deliberately slow: hash the test password once.
_PASSWORD_HASH = HASHER.hash(PASSWORD)


async def make_user(role: str = "Sales", **kw) -> User:
    n = next(_seq)
    role_obj = await Role.get(name=role)
    user = await User.create(
        email=kw.pop("email", f"user{n}@example.com"),
        name=kw.pop("name", f"User {n}"),
        password_hash=_PASSWORD_HASH,
        role=role_obj,
        **kw,
    )
    await user.fetch_related("role")
    return user


async def principal_for(user: User) -> Principal:
    return await Principal.load(user)


async def make_account(owner: User, **kw) -> Account:
    n = next(_seq)
    return await Account.create(owner=owner, name=kw.pop("name", f"Account {n}"), **kw)


async def make_contact(owner: User, **kw) -> Contact:
    n = next(_seq)
    return await Contact.create(
        owner=owner,
        last_name=kw.pop("last_name", f"Contact{n}"),
        first_name=kw.pop("first_name", "Taro"),
        email=kw.pop("email", f"contact{n}@example.jp"),
        **kw,
    )


async def make_lead(owner: User, **kw) -> Lead:
    n = next(_seq)
    return await Lead.create(owner=owner, last_name=kw.pop("last_name", f"Lead{n}"), **kw)


async def stage(category: StageCategory = StageCategory.OPEN) -> Stage:
    return await Stage.filter(category=category).order_by("sort_order").first()


async def make_deal(owner: User, contacts: list[Contact] = (), **kw) -> Deal:
    n = next(_seq)
    st = kw.pop("stage", None) or await stage()
    deal = await Deal.create(
        owner=owner,
        name=kw.pop("name", f"Deal {n}"),
        stage=st,
        amount=kw.pop("amount", Decimal(100000 * n)),
        closing_date=kw.pop("closing_date", date.today() + timedelta(days=30)),
        **kw,
    )
    for c in contacts:
        await DealContact.create(deal=deal, contact=c, role="Decision maker")
    return deal


async def make_task(owner: User, **kw) -> Task:
    n = next(_seq)
    return await Task.create(owner=owner, subject=kw.pop("subject", f"Task {n}"), **kw)


async def make_event(owner: User, **kw) -> Event:
    n = next(_seq)
    start = kw.pop("start_at", datetime.now(timezone.utc) + timedelta(days=1))
    return await Event.create(
        owner=owner,
        subject=kw.pop("subject", f"Event {n}"),
        start_at=start,
        end_at=kw.pop("end_at", start + timedelta(hours=1)),
        **kw,
    )


async def make_case(owner: User, **kw) -> Case:
    n = next(_seq)
    return await Case.create(owner=owner, subject=kw.pop("subject", f"Case {n}"), **kw)


async def make_product(owner: User, **kw) -> "Product":
    from app.models import Product

    n = next(_seq)
    return await Product.create(owner=owner, name=kw.pop("name", f"製品{n}"), unit=kw.pop("unit", "個"),
                                unit_price=kw.pop("unit_price", Decimal(1000)), **kw)


async def share(module: str, access: Access, *, owner: User | None = None, grantee: User | None = None,
                grantee_role: Role | None = None) -> SharingRule:
    return await SharingRule.create(
        module=module, access=access, owner_user=owner, grantee_user=grantee, grantee_role=grantee_role
    )


# ---- Books ---------------------------------------------------------------------------------
# Valid registration numbers (T + corporate number with its check digit).
REGISTRATION_NUMBER = "T7000012050002"  # 国税庁's corporate number


async def make_org(*members: User, **kw) -> "Organization":
    """An organization (Books edition, JPY) with its default e-mail templates and members."""
    from app.models import Membership, Organization
    from app.services.organizations import install_default_templates

    n = next(_seq)
    org = await Organization.create(
        name=kw.pop("name", f"株式会社サンプル{n}"), registration_number=kw.pop("registration_number", REGISTRATION_NUMBER),
        address_code=kw.pop("address_code", "100-0001"), address_state=kw.pop("address_state", "東京都"),
        address_city=kw.pop("address_city", "千代田区"), address_street=kw.pop("address_street", "千代田1-1"),
        bank_details=kw.pop("bank_details", "みずほ銀行 東京営業部 普通 1234567 カ）サンプル"), **kw)
    for user in members:
        await Membership.create(organization=org, user=user)
    await install_default_templates(org)
    return org


async def link_books(keeper: User, org, crm_admin: Principal | None = None, automation: str = "none") -> str:
    """The CRM linked to `org` as an administrator links it: `keeper` (an administrator of `org`)
    makes a connection key, `crm_admin` (by default the keeper) connects with it. Returns the key."""
    from app.services import books_link

    keeper_principal = await principal_for(keeper)
    _, secret = await books_link.create_key(keeper_principal, org.id)
    await books_link.connect(crm_admin or keeper_principal, keeper.email, secret, org.id, automation, "192.0.2.20")
    return secret


async def make_customer(org, **kw) -> "BooksContact":
    from app.models import BooksContact, ContactPerson

    n = next(_seq)
    persons = kw.pop("persons", [{"last_name": "山田", "first_name": "太郎", "email": f"yamada{n}@example.jp"}])
    contact = await BooksContact.create(
        organization=org, display_name=kw.pop("display_name", f"株式会社テスト{n}"), **kw)
    for i, p in enumerate(persons):
        await ContactPerson.create(books_contact=contact, is_primary=i == 0, **p)
    return contact


async def make_item(org, **kw) -> "Item":
    from app.models import Item

    n = next(_seq)
    return await Item.create(organization=org, name=kw.pop("name", f"商品{n}"),
                             rate=kw.pop("rate", Decimal(1000)), unit=kw.pop("unit", "個"), **kw)


def lines(*specs: tuple) -> list[dict]:
    """`lines(("コンサルティング", 2, 5000, 10), ("お弁当", 3, 800, 8), ("輸出", 1, 500, "export"))`
    -> service line input (a tax rate, or a tax category by name)."""
    return [{"description": d, "quantity": q, "rate": r,
             **({"tax_category": t} if isinstance(t, str) and not t.isdigit() else {"tax_rate": t})}
            for d, q, r, t in specs]


async def make_transaction(principal: Principal, kind: str, contact, line_specs=None, **kw) -> "Transaction":
    """A transaction through the service (numbering, totals, history), as users create them."""
    from app.models import Kind
    from app.services import transactions

    data = {"contact_id": contact.id, "organization_id": contact.organization_id,
            "lines": lines(*(line_specs or [("作業費", 1, 10000, 10)])), **kw}
    return await transactions.create(principal, Kind(kind), data)


async def make_sent_invoice(principal: Principal, contact, line_specs=None, **kw) -> "Transaction":
    from app.models import Kind
    from app.services import workflow

    txn = await make_transaction(principal, "invoice", contact, line_specs, **kw)
    return await workflow.mark_sent(principal, Kind.INVOICE, txn.id)


async def make_mailbox(owner: User, **kw) -> "Mailbox":
    """A mailbox row (no server behind it) with an INBOX folder."""
    from datetime import UTC, datetime

    from app.models import Mailbox, MailFolder

    kw.setdefault("email", owner.email)
    kw.setdefault("imap_host", "imap.example.invalid")
    kw.setdefault("username", owner.email)
    kw.setdefault("password", "secret")
    kw.setdefault("connected_at", datetime(2026, 1, 1, tzinfo=UTC))
    mailbox = await Mailbox.create(owner_id=owner.id, **kw)
    await MailFolder.create(mailbox_id=mailbox.id, name="INBOX", uidvalidity=1)
    return mailbox


_uid = iter(range(1, 10**9))


async def make_email(mailbox, *, sender: str = "customer@example.com", to: tuple[str, ...] = ("me@example.com",),
                     cc: tuple[str, ...] = (), subject: str = "Hello", text: str = "Body", html: str = "",
                     sent_at=None,
                     attachments: tuple[tuple[str, str, bytes], ...] = (), sent_from_kizuna: bool = False,
                     inline: tuple[tuple[str, str, bytes], ...] = (), **kw) -> "Email":
    """A stored e-mail (copy in `mailbox`'s first folder) built through the real store, so its
    participants, thread and deal association are what a sync would make. With `html` the body is
    multipart/alternative (the text, then the HTML); `inline` images (content-id, type, bytes)
    are parts of the HTML body (one showing them is made when `html` is empty)."""
    from datetime import UTC, datetime
    from email.message import EmailMessage
    from email.utils import format_datetime, make_msgid

    from app.mail.mime import parse
    from app.mail import bodies
    from app.mail.store import Incoming, storage_key, store_batch
    from app.models import Email, MailFolder

    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(sent_at or datetime.now(UTC))
    msg["Message-ID"] = kw.pop("message_id", None) or make_msgid(domain="example.com")
    for name, value in kw.pop("headers", {}).items():
        msg[name] = value
    msg.set_content(text)
    if html or inline:
        msg.add_alternative(html or "".join(f'<img src="cid:{cid}">' for cid, _, _ in inline), subtype="html")
    for cid, content_type, data in inline:
        maintype, subtype = content_type.split("/")
        msg.get_payload()[1].add_related(data, maintype=maintype, subtype=subtype, cid=f"<{cid}>")
    for filename, content_type, data in attachments:
        maintype, subtype = content_type.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    raw = msg.as_bytes()
    folder = await MailFolder.filter(mailbox_id=mailbox.id).order_by("id").first()
    await store_batch(mailbox, folder, [Incoming(next(_uid), raw)])
    email = await Email.get(key=storage_key(parse(raw)))
    await bodies.ensure(email)  # as opening it would
    if sent_from_kizuna:
        email.sent_from_kizuna = True
        await email.save(update_fields=["sent_from_kizuna"])
    return email


async def make_credit_note(principal: Principal, invoices, line_specs=None, *, sent: bool = False,
                           **kw) -> "Transaction":
    """A credit note against `invoices` (of one customer) through the service; `sent`: open."""
    from app.models import Kind
    from app.services import credit_notes, workflow

    data = {"invoice_ids": [i.id for i in invoices], "organization_id": invoices[0].organization_id,
            "lines": lines(*(line_specs or [("返品", 1, 1000, 10)])), **kw}
    note = await credit_notes.create(principal, data)
    return await workflow.mark_sent(principal, Kind.CREDIT_NOTE, note.id) if sent else note
