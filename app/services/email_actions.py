"""What a user can do with an e-mail in CRM (seeds 003 and 004): associate it with a deal by hand,
add it to a contact, lead or deal found by search, put it on a contact's activity, and create a
lead, a contact or a case from it. The Books actions (estimates, invoices, documents) are in
app.services.email_books, which builds on the helpers here.

Every action first looks the e-mail up through `services.mail.get_email` (mail the user may not
see is NotFound, like any hidden record), then checks the record it touches through
app.permissions and writes through the record's own service, so the same validation applies as
on its form. An e-mail's *contacts* are the contacts whose primary or secondary address is one of
its participants' (case-insensitive), and those it was added to by hand (`EmailLink`).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.functions import Lower
from tortoise.transactions import in_transaction

from app import cleaning
from app.errors import Conflict, PermissionDenied, ValidationError
from app.i18n import N_
from app.mail import association
from app.models import (
    Account,
    Case,
    CaseAttachment,
    CaseStatus,
    Contact,
    ContactComment,
    Deal,
    DealContact,
    Email,
    EmailAttachment,
    EmailDeal,
    EmailLink,
    EmailParticipant,
    Lead,
    Mailbox,
    ParticipantRole,
    Stage,
    StageCategory,
)
from app.models.base import LONG_TEXT_MAX
from app.permissions import Principal, restrict
from app.services.cases import ATTACHMENTS_MAX, cases
from app.services.contacts import contacts as contact_service
from app.services.deals import deals as deal_service
from app.services.leads import leads as lead_service
from app.services.mail import get_email

OPTIONS_MAX = 100  # entries of a dropdown: an e-mail with more contacts than this is not a person's
NOT_OFFERED_DEAL = N_("Choose one of the deals of the e-mail's contacts.")
NOT_OFFERED_CONTACT = N_("Choose one of the e-mail's contacts.")
NO_CONTACT_FOR_CASE = N_("A case is added for an existing contact: create a contact from the sender first.")
HIDDEN_DEAL = N_("This e-mail is associated with a deal you may not see.")
_SURROGATE = re.compile("[\ud800-\udfff]")
_CATEGORY_ORDER = {StageCategory.OPEN: 0, StageCategory.WON: 1, StageCategory.LOST: 2}


# ---- the e-mail's people ----------------------------------------------------------------------


async def email_of(principal: Principal, email: Email | int | str) -> Email:
    """The e-mail, looked up again under the user's visibility whatever the caller holds."""
    return await get_email(principal, email.id if isinstance(email, Email) else email)


async def _participants(email: Email) -> list[tuple[str, str, str]]:
    """(role, address, name) in stored order: From first, then To, then Cc."""
    return await EmailParticipant.filter(email_id=email.id).order_by("id").values_list("role", "address", "name")


async def contacts_offered(principal: Principal, email: Email | int | str) -> list[Contact]:
    """The e-mail's contacts the user may see: by its participants' addresses (in their order),
    then those it was added to by hand."""
    email = await email_of(principal, email)
    addresses = list(dict.fromkeys(a.lower() for _, a, _ in await _participants(email)))
    by_address = await association.contacts_by_address(addresses)
    ids = list(dict.fromkeys(cid for a in addresses for cid in by_address.get(a, ())))
    linked = await EmailLink.filter(email_id=email.id, contact_id__not_isnull=True).order_by("id").values_list(
        "contact_id", flat=True)
    ids = list(dict.fromkeys([*ids, *linked]))
    if not ids:
        return []
    found = {c.id: c for c in await restrict(Contact.filter(id__in=ids[:OPTIONS_MAX * 5]), principal)}
    return [found[i] for i in ids if i in found][:OPTIONS_MAX]


async def _offers(principal: Principal, email: Email) -> tuple[list[Deal], dict[int, int]]:
    """The deals of the e-mail's contacts the user may see, and for each the contact through
    whom it is offered."""
    people = await contacts_offered(principal, email)
    order = {c.id: i for i, c in enumerate(people)}
    via: dict[int, int] = {}
    # Bounded: a list to choose from, not every deal of a contact with thousands of them.
    rows = await DealContact.filter(contact_id__in=list(order)).order_by("-deal__modified_at").limit(
        OPTIONS_MAX * 10).values_list("deal_id", "contact_id") if order else []
    for deal_id, contact_id in sorted(rows, key=lambda r: order[r[1]]):
        via.setdefault(deal_id, contact_id)
    if not via:
        return [], {}
    found = await restrict(Deal.filter(id__in=list(via)), principal).select_related("stage")
    found.sort(key=lambda d: (_CATEGORY_ORDER.get(d.stage.category, 3), -d.modified_at.timestamp(), d.id))
    return found[:OPTIONS_MAX], via


async def deals_offered(principal: Principal, email: Email | int | str) -> list[Deal]:
    """Seed 004: only the deals of the e-mail's contacts are offered; open ones first, then won,
    then lost, the most recently modified first."""
    deals, _via = await _offers(principal, await email_of(principal, email))
    return deals


# ---- deal association -------------------------------------------------------------------------


async def association_of(principal: Principal, email: Email | int | str) -> tuple[EmailDeal | None, Deal | None]:
    """The e-mail's association and its deal; the deal is None when the user may not see it."""
    email = await email_of(principal, email)
    link = await EmailDeal.get_or_none(email_id=email.id)
    if link is None:
        return None, None
    deal = await restrict(Deal.filter(id=link.deal_id), principal).select_related("stage").first()
    return link, deal


async def _associate(principal: Principal, email: Email, deal_id: int, contact_id: int | None) -> EmailDeal:
    """Associate by hand, replacing the current association (if its deal is one the user sees:
    a link they cannot see is never moved by them)."""
    try:
        async with in_transaction():
            current = await EmailDeal.filter(email_id=email.id).select_for_update().first()
            if current is None:
                return await EmailDeal.create(email_id=email.id, deal_id=deal_id, contact_id=contact_id,
                                              automatic=False, created_by_id=principal.user.id)
            if not await restrict(Deal.filter(id=current.deal_id), principal).exists():
                raise PermissionDenied(HIDDEN_DEAL)
            current.deal_id, current.contact_id = deal_id, contact_id
            current.automatic, current.created_by_id = False, principal.user.id
            await current.save(update_fields=["deal_id", "contact_id", "automatic", "created_by_id"])
            return current
    except IntegrityError:  # associated meanwhile by someone else (one association per e-mail)
        raise Conflict(N_("The e-mail was associated with a deal meanwhile. Reload and try again.")) from None


async def associate_with_deal(principal: Principal, email: Email | int | str, deal_id: Any) -> EmailDeal:
    """Associate with one of the deals offered (the e-mail's contacts' deals)."""
    email = await email_of(principal, email)
    _deals, via = await _offers(principal, email)
    pk = cleaning.pk(deal_id)
    if pk is None or pk not in {d.id for d in _deals}:
        raise ValidationError.single("deal_id", NOT_OFFERED_DEAL)
    return await _associate(principal, email, pk, via[pk])


async def change(principal: Principal, email: Email | int | str, deal_id: Any) -> EmailDeal:
    """Seed 004's "change": dissociate and associate with another offered deal, in one step."""
    return await associate_with_deal(principal, email, deal_id)


async def dissociate(principal: Principal, email: Email | int | str) -> int | None:
    """Remove the association; the id of the deal it was with, None when there was none."""
    email = await email_of(principal, email)
    async with in_transaction():
        current = await EmailDeal.filter(email_id=email.id).select_for_update().first()
        if current is None:
            return None
        if not await restrict(Deal.filter(id=current.deal_id), principal).exists():
            raise PermissionDenied(HIDDEN_DEAL)
        await current.delete()
        return current.deal_id


async def associate_with_new_deal(principal: Principal, email: Email | int | str, data: dict[str, Any],
                                  contact_id: Any = None) -> Deal:
    """Create a deal on the spot with one of the e-mail's contacts (the first by default) and
    associate the e-mail with it. `data` is a deal's input (name, stage_id, amount, ...); the stage
    defaults to the first open one, the account to the contact's."""
    email = await email_of(principal, email)
    people = await contacts_offered(principal, email)
    if contact_id in (None, ""):
        contact = people[0] if people else None
        if contact is None:
            raise ValidationError.single("contact_id", N_("The e-mail has no contact to create a deal with."))
    else:
        contact = next((c for c in people if c.id == cleaning.pk(contact_id)), None)
        if contact is None:
            raise ValidationError.single("contact_id", NOT_OFFERED_CONTACT)
    data = {k: v for k, v in data.items() if k != "contacts"}
    if data.get("stage_id") in (None, ""):
        first_open = await Stage.filter(category=StageCategory.OPEN).order_by("sort_order", "id").first()
        data["stage_id"] = first_open.id if first_open else None
    if data.get("account_id") in (None, "") and contact.account_id and await restrict(
            Account.filter(id=contact.account_id), principal).exists():
        data["account_id"] = contact.account_id
    data["contacts"] = [{"contact_id": contact.id, "role": ""}]
    async with in_transaction():
        deal = await deal_service.create(principal, data)
        await _associate(principal, email, deal.id, contact.id)
    return deal


# ---- from an e-mail (seed 003) ------------------------------------------------------------------

LINK_TYPES = ("contact", "lead", "deal")


async def link_to_record(principal: Principal, email: Email | int | str, record_type: str,
                         record_id: Any) -> Contact | Lead | Deal:
    """Add the e-mail to a lead or contact found by search (it shows on its Mail list whatever its
    addresses), or associate it with a deal (any deal the user may edit). Returns the record."""
    email = await email_of(principal, email)
    if record_type not in LINK_TYPES:
        raise ValidationError.single("record_type", N_("Choose one of the offered values."))
    if record_type == "deal":
        deal = await deal_service.get(principal, record_id, "create_edit")
        people = {c.id for c in await contacts_offered(principal, email)}
        on_deal = await DealContact.filter(deal_id=deal.id, contact_id__in=sorted(people)).order_by(
            "id").values_list("contact_id", flat=True) if people else []
        await _associate(principal, email, deal.id, on_deal[0] if on_deal else None)
        return deal
    service = contact_service if record_type == "contact" else lead_service
    record = await service.get(principal, record_id, "create_edit")
    field = f"{record_type}_id"
    try:
        await EmailLink.get_or_create(email_id=email.id, **{field: record.id},
                                      defaults={"created_by_id": principal.user.id})
    except IntegrityError:  # added by someone else at the same moment: it is there
        pass
    return record


async def counterpart(principal: Principal, email: Email) -> tuple[str, str]:
    """(display name, address) of the person the e-mail was exchanged with: its sender, unless
    that is the user (sent mail), then its first recipient who is not."""
    own = {principal.user.email.lower()}
    own |= {a.lower() for a in await Mailbox.filter(owner_id=principal.user.id).values_list("email", flat=True)}
    people = await _participants(email)
    senders = [(n, a) for r, a, n in people if r == ParticipantRole.FROM]
    if senders and senders[0][1] not in own:
        return senders[0]
    others = [(n, a) for r, a, n in people if r != ParticipantRole.FROM and a not in own]
    if others:
        return others[0]
    return senders[0] if senders else (email.from_name, email.from_email.lower())


def _has_cjk(text: str) -> bool:
    return any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text)


def split_name(display: str, address: str) -> tuple[str, str]:
    """(last, first) from a display name: `山田 太郎` -> 山田, 太郎 (family name first, as Japanese
    names are written); `Yamada, Taro` -> Yamada, Taro; `Taro Yamada` -> Yamada, Taro; a name in
    one piece is the last name; no name: the address's local part."""
    name = " ".join(unicodedata.normalize("NFC", display or "").replace("\u3000", " ").split()).strip(" \"'")
    if not name or "@" in name:
        return (address.partition("@")[0] or address or "-"), ""
    if "," in name:
        last, _, first = name.partition(",")
        if last.strip():
            return last.strip(), first.strip()
    parts = name.split(" ")
    if len(parts) == 1:
        return name, ""
    if _has_cjk(name):
        return parts[0], " ".join(parts[1:])
    return parts[-1], " ".join(parts[:-1])


def _fit(model: type, name: str, value: str) -> str:
    """Derived text cut to the column (a display name longer than a name column is not an error
    the user made)."""
    limit = model._meta.fields_map[name].max_length
    return clean_text(value)[:limit].strip()


def clean_text(value: str) -> str:
    """Mail text as storable text: no NUL, no lone surrogates (PostgreSQL refuses both)."""
    return _SURROGATE.sub("\ufffd", (value or "").replace("\x00", ""))


async def _person_values(principal: Principal, email: Email, model: type) -> dict[str, Any]:
    display, address = await counterpart(principal, email)
    last, first = split_name(display, address)
    return {"last_name": _fit(model, "last_name", last), "first_name": _fit(model, "first_name", first),
            "email": address}


async def _refuse_duplicate(principal: Principal, model: type, address: str, msgid: str) -> None:
    """Seed 003: records are told apart by e-mail address (those the user sees: a hidden one is
    not revealed)."""
    query = model.annotate(e=Lower("email")).filter(e=address.lower())
    if address and await restrict(query, principal).exists():
        raise Conflict(msgid)


async def create_lead_from_sender(principal: Principal, email: Email | int | str,
                                  data: dict[str, Any] | None = None) -> Lead:
    """A lead named after the e-mail's sender (or recipient, for sent mail), with its address;
    `data` adds or overrides fields (company, status...)."""
    email = await email_of(principal, email)
    values = {**await _person_values(principal, email, Lead), **(data or {})}
    await _refuse_duplicate(principal, Lead, str(values.get("email") or ""),
                            N_("A lead with this e-mail address already exists."))
    return await lead_service.create(principal, values)


async def create_contact_from_sender(principal: Principal, email: Email | int | str,
                                     data: dict[str, Any] | None = None) -> Contact:
    email = await email_of(principal, email)
    values = {**await _person_values(principal, email, Contact), **(data or {})}
    await _refuse_duplicate(principal, Contact, str(values.get("email") or ""),
                            N_("A contact with this e-mail address already exists."))
    return await contact_service.create(principal, values)


def body_text(email: Email, limit: int = LONG_TEXT_MAX) -> str:
    """The plain body, storable and bounded (a comment or a description holds at most `limit`)."""
    text = clean_text(email.text_body or email.snippet or "").strip()
    if len(text) > limit:
        text = text[:limit - 1].rstrip() + "…"
    return text


async def create_case(principal: Principal, email: Email | int | str, status: Any = CaseStatus.NEW,
                      include_attachments: bool = False) -> Case:
    """Seed 003: the e-mail's address, its contact, subject and body become the case's e-mail,
    contact, subject and description; only for an e-mail with a contact (one the user sees:
    create the contact from the sender first). With `include_attachments` the case keeps the e-mail's files
    (not the images of its body), at most ATTACHMENTS_MAX: the same blobs, no bytes copied, in the
    case's own transaction."""
    email = await email_of(principal, email)
    display, address = await counterpart(principal, email)
    people = await contacts_offered(principal, email)
    by_address = await association.contacts_by_address([address])
    mine = [c for c in people if c.id in set(by_address.get(address, ()))]
    contact = (mine or people or [None])[0]
    if contact is None:
        raise ValidationError.single("contact_id", NO_CONTACT_FOR_CASE)
    subject = _fit(Case, "subject", email.subject) or _fit(Case, "subject", email.snippet) or address or "-"
    data = {"subject": subject, "status": status if status not in (None, "") else CaseStatus.NEW,
            "description": body_text(email), "email": address if address else "",
            "contact_id": contact.id if contact else None}
    async with in_transaction():
        case = await cases.create(principal, data)
        if include_attachments:
            parts = await EmailAttachment.filter(email_id=email.id, inline=False).order_by("id").limit(
                ATTACHMENTS_MAX)
            if parts:
                await CaseAttachment.bulk_create([CaseAttachment(
                    case_id=case.id, blob_id=part.blob_id, filename=part.filename,
                    content_type=part.content_type, size=part.size, email_id=email.id) for part in parts])
    return case


async def add_to_contact_activity(principal: Principal, email: Email | int | str, contact_id: Any) -> ContactComment:
    """Seed 000's "Contact activity": the e-mail as a comment on one of its contacts' overview
    (writing on a record takes the right to edit it)."""
    email = await email_of(principal, email)
    pk = cleaning.pk(contact_id)
    if pk is None or pk not in {c.id for c in await contacts_offered(principal, email)}:
        raise ValidationError.single("contact_id", NOT_OFFERED_CONTACT)
    contact = await contact_service.get(principal, pk, "create_edit")
    async with in_transaction():
        if await ContactComment.filter(contact_id=contact.id, email_id=email.id).exists():
            raise Conflict(N_("This e-mail is already on the contact's activity."))
        return await ContactComment.create(contact_id=contact.id, email_id=email.id, text=body_text(email),
                                           author_id=principal.user.id)
