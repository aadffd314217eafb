"""Reading mail: which e-mails a user sees, and the Mail lists of contacts, leads, accounts,
deals and Books contacts. Pages and GraphQL both list mail through here.

A user sees the mail of the mailboxes `permissions.visible_mailboxes` gives them, the mail they
uploaded themselves (`EmailUpload`: a holding of their own, like a private mailbox) and mail sent
from Kizuna. A record's mail is found by the record's current addresses (lower-cased, as
participants are stored), so a contact created after the mail still sees it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from tortoise.expressions import Q, Subquery
from tortoise.functions import Lower
from tortoise.queryset import QuerySet

from app import cleaning
from app.errors import NotFound
from app.mail import bodies
from app.models import (
    Account,
    BooksContact,
    Contact,
    ContactPerson,
    Deal,
    DealContact,
    Email,
    EmailCopy,
    EmailDeal,
    EmailLink,
    EmailParticipant,
    EmailUpload,
    Lead,
    Mailbox,
    User,
)
from app.permissions import Principal, restrict, visible_mailboxes

PAGE_MAX = 100


class DealMail(StrEnum):
    ASSOCIATED = "associated"  # e-mails associated with this deal (the default)
    CONTACTS = "contacts"  # e-mails of this deal's contacts


class Source(StrEnum):
    ALL = "all"  # every mailbox the user sees
    KIZUNA = "kizuna"  # sent from Kizuna
    USER = "user"  # one chosen user's mailboxes (shared with the viewer)
    UPLOADED = "uploaded"  # the files the viewer uploaded (.eml, .msg)


@dataclass(frozen=True)
class MailFilter:
    source: Source = Source.ALL
    user_id: int | None = None  # with Source.USER


def _mailbox_ids(principal: Principal, mailboxes: QuerySet | None = None) -> Subquery:
    return Subquery((mailboxes if mailboxes is not None else visible_mailboxes(principal)).values("id"))


def _uploaded(principal: Principal) -> Q:
    """The e-mails the user uploaded: theirs alone, like a private mailbox of their own."""
    return Q(id__in=Subquery(EmailUpload.filter(user_id=principal.user.id).values("email_id")))


def visible(principal: Principal, mail_filter: MailFilter | None = None) -> QuerySet:
    """The e-mails the user may see, narrowed to a source."""
    mail_filter = mail_filter or MailFilter()
    if mail_filter.source == Source.KIZUNA:
        return Email.filter(sent_from_kizuna=True)
    uploaded = _uploaded(principal)
    if mail_filter.source == Source.UPLOADED:
        return Email.filter(uploaded)
    boxes = visible_mailboxes(principal)
    if mail_filter.source == Source.USER:
        boxes = boxes.filter(owner_id=mail_filter.user_id or 0)
    held = Q(id__in=Subquery(EmailCopy.filter(mailbox_id__in=_mailbox_ids(principal, boxes)).values("email_id")))
    if mail_filter.source == Source.USER:
        return Email.filter(held)
    return Email.filter(held | uploaded | Q(sent_from_kizuna=True))


def _participating(addresses: Iterable[str]) -> Q:
    wanted = sorted({a.strip().lower() for a in addresses if a and a.strip()})
    if not wanted:
        return Q(id__isnull=True)
    return Q(id__in=Subquery(EmailParticipant.filter(address__in=wanted).values("email_id")))


def with_addresses(queryset: QuerySet, addresses: Iterable[str]) -> QuerySet:
    return queryset.filter(_participating(addresses))


def with_known_people(principal: Principal, queryset: QuerySet) -> QuerySet:
    """The e-mails of `queryset` exchanged with a contact or lead the user may see (by address,
    lower-cased as participants are stored). Subqueries: the same statement count however many
    people the user knows."""
    known = Q(id__isnull=True)
    for model, columns in ((Contact, ("email", "secondary_email")), (Lead, ("email",))):
        for column in columns:
            addresses = restrict(model.all(), principal).annotate(_a=Lower(column)).filter(
                **{f"{column}__not": ""}).values("_a")
            known |= Q(address__in=Subquery(addresses))
    return queryset.filter(id__in=Subquery(EmailParticipant.filter(known).values("email_id")))


async def addresses_of(record) -> list[str]:
    """The addresses a record's mail is exchanged with."""
    if isinstance(record, Contact):
        return [a for a in (record.email, record.secondary_email) if a]
    if isinstance(record, Lead):
        return [record.email] if record.email else []
    if isinstance(record, Account):
        rows = await Contact.filter(account_id=record.id).values_list("email", "secondary_email")
        return [a for row in rows for a in row if a]
    if isinstance(record, Deal):
        rows = await Contact.filter(id__in=Subquery(DealContact.filter(deal_id=record.id).values("contact_id"))
                                    ).values_list("email", "secondary_email")
        return [a for row in rows for a in row if a]
    if isinstance(record, BooksContact):
        persons = await ContactPerson.filter(books_contact_id=record.id).values_list("email", flat=True)
        return [a for a in (record.email, *persons) if a]
    raise TypeError(f"no mail for {type(record).__name__}")


async def mail_of(principal: Principal, record, *, mode: DealMail = DealMail.ASSOCIATED,
                  mail_filter: MailFilter | None = None) -> QuerySet:
    """The Mail list of a record the caller has already checked the user may see."""
    if isinstance(record, BooksContact):
        # Seed 000: a Books contact shows the organization's mailboxes and the user's own.
        boxes = visible_mailboxes(principal).filter(
            Q(organization_id=record.organization_id) | Q(owner_id=principal.user.id))
        held = Q(id__in=Subquery(EmailCopy.filter(mailbox_id__in=_mailbox_ids(principal, boxes)).values("email_id")))
        queryset = Email.filter(held | _uploaded(principal) | Q(sent_from_kizuna=True))
        return with_addresses(queryset, await addresses_of(record))
    queryset = visible(principal, mail_filter)
    if isinstance(record, Deal) and mode == DealMail.ASSOCIATED:
        return queryset.filter(id__in=Subquery(EmailDeal.filter(deal_id=record.id).values("email_id")))
    by_address = _participating(await addresses_of(record))
    if isinstance(record, Contact | Lead):  # and the mail added to it by hand
        field = "contact_id" if isinstance(record, Contact) else "lead_id"
        by_address |= Q(id__in=Subquery(EmailLink.filter(**{field: record.id}).values("email_id")))
    return queryset.filter(by_address)


async def get_email(principal: Principal, email_id) -> Email:
    pk = cleaning.pk(email_id)
    email = await visible(principal).get_or_none(id=pk) if pk is not None else None
    if email is None:
        raise NotFound()
    # Opened before the job decoded its body: decode it now.
    return await bodies.ensure(email)


async def page(queryset: QuerySet, *, limit: int = 50, offset: int = 0) -> list[Email]:
    limit = max(1, min(int(limit), PAGE_MAX))
    return await queryset.order_by("-sent_at", "-id").offset(max(0, int(offset))).limit(limit)


def group_threads(emails: list[Email]) -> list[list[Email]]:
    """Threads in the order of their latest e-mail, each oldest first."""
    threads: dict[int, list[Email]] = {}
    for email in emails:  # newest first
        threads.setdefault(email.thread_id or email.id, []).append(email)
    return [list(reversed(t)) for t in threads.values()]


async def thread_of(principal: Principal, email: Email) -> list[Email]:
    return await visible(principal).filter(thread_id=email.thread_id or email.id).order_by("sent_at", "id").limit(PAGE_MAX)


async def mailboxes_holding(principal: Principal, email: Email) -> list[Mailbox]:
    """The copies' owners the user may see (a message in several mailboxes is shown with each)."""
    return await visible_mailboxes(principal).filter(
        id__in=Subquery(EmailCopy.filter(email_id=email.id).values("mailbox_id"))).prefetch_related("owner")


def search(queryset: QuerySet, query: str | None) -> QuerySet:
    """E-mails whose subject, sender or any participant's name or address contains `query`
    (case-insensitive; NUL and lone surrogates dropped, at most cleaning.SEARCH_MAX characters)."""
    text = cleaning.search(query)
    if not text:
        return queryset
    people = EmailParticipant.filter(Q(address__icontains=text) | Q(name__icontains=text)).values("email_id")
    return queryset.filter(Q(subject__icontains=text) | Q(from_name__icontains=text)
                           | Q(from_email__icontains=text) | Q(id__in=Subquery(people)))


# ---- batched reads, for lists that show many e-mails at once (GraphQL's loaders) ---------------


def thread_key(email: Email) -> int:
    return email.thread_id or email.id


async def threads(principal: Principal, keys: Sequence[int]) -> dict[int, list[Email]]:
    """`thread_of` for many threads (keyed by `thread_key`) in one query: the visible e-mails of
    each, oldest first, at most PAGE_MAX a thread."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    budget = len(keys) * PAGE_MAX
    rows = await visible(principal).filter(Q(thread_id__in=keys) | Q(id__in=keys, thread_id__isnull=True)).order_by(
        "thread_id", "sent_at", "id").limit(budget + 1)
    if len(rows) > budget:  # a thread longer than PAGE_MAX crowds the others out: one query each
        return {k: await visible(principal).filter(Q(thread_id=k) | Q(id=k, thread_id__isnull=True)).order_by(
            "sent_at", "id").limit(PAGE_MAX) for k in keys}
    grouped: dict[int, list[Email]] = defaultdict(list)
    for email in rows:
        grouped[thread_key(email)].append(email)
    return {k: sorted(grouped[k], key=lambda e: (e.sent_at is not None, e.sent_at, e.id))[:PAGE_MAX] for k in keys}


async def holders(principal: Principal, email_ids: Sequence[int]) -> dict[int, list[Mailbox]]:
    """`mailboxes_holding` for many e-mails: each one's mailboxes the user sees (two queries)."""
    ids = sorted(set(email_ids))
    if not ids:
        return {}
    pairs = await EmailCopy.filter(email_id__in=ids, mailbox_id__in=_mailbox_ids(principal)).order_by(
        "email_id", "mailbox_id").values_list("email_id", "mailbox_id")
    boxes = {m.id: m for m in await Mailbox.filter(id__in=sorted({m for _, m in pairs}))} if pairs else {}
    found: dict[int, list[Mailbox]] = defaultdict(list)
    for email_id, mailbox_id in dict.fromkeys(pairs):
        if mailbox_id in boxes:
            found[email_id].append(boxes[mailbox_id])
    return {i: found.get(i, []) for i in ids}


_ADDRESS_COLUMNS = {Contact: ("email", "secondary_email"), Lead: ("email",), User: ("email",)}


async def people_by_address(principal: Principal, model: type, addresses: Iterable[str]) -> dict[str, list]:
    """Lower-cased address -> the contacts, leads or users (`model`) the user may see that have it
    (contacts: as primary or secondary e-mail), oldest first. One query per 500 addresses."""
    from app.services.users import visible_users

    wanted = sorted({a.strip().lower() for a in addresses if a and a.strip()})
    columns = _ADDRESS_COLUMNS[model]
    base = visible_users(principal) if model is User else restrict(model.all(), principal)
    found: dict[str, list] = defaultdict(list)
    lowered = {f"_a{i}": Lower(c) for i, c in enumerate(columns)}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        condition = Q(*(Q(**{f"{name}__in": chunk}) for name in lowered), join_type=Q.OR)
        for record in await base.annotate(**lowered).filter(condition).order_by("id"):
            for value in {(getattr(record, column) or "").lower() for column in columns} & set(chunk):
                found[value].append(record)
    return found
