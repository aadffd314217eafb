"""Converting a lead: it becomes a contact, at an account (new, or matched by company name) and
optionally with a deal; it takes its tasks, events, event attendances, hand-added mail and
description along, and keeps links to what it became. It is then qualified, for good.

The records are made through their own services (contacts, accounts, deals), so their
validation, permissions and automation (Books) apply; everything happens in one transaction, so a
refused or invalid part leaves nothing half-written. A converted lead stays converted.

The mail a lead was found by (its e-mail address) follows the contact by the same address;
only mail added to the lead by hand (`EmailLink`) needs moving.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from app import readings
from app.errors import Conflict, FieldError, PermissionDenied, ValidationError
from app.i18n import N_
from app.models import Account, Contact, Deal, EmailLink, Event, EventAttendee, Lead, LeadStatus, RelatedType, Task
from app.models.base import LONG_TEXT_MAX
from app.permissions import Access, Principal, can, restrict
from app.search import normalise
from app.services import links
from app.services.accounts import accounts as account_service
from app.services.contacts import contacts as contact_service
from app.services.deals import deals as deal_service
from app.services.leads import leads as lead_service

DUPLICATES_MAX = 20  # same-name accounts and same-address contacts offered on the page
DEAL_FIELDS = ("name", "amount", "currency", "stage_id", "closing_date")
NOT_AGAIN = N_("This lead has already been converted.")


@dataclass
class ConversionOffer:
    """What the conversion page proposes for a lead."""

    lead: Lead
    account: Account | None  # the visible account named as the lead's company, if any
    account_name: str  # the name of a new account (the lead's company)
    same_name_accounts: list[Account]
    same_email_contacts: list[Contact]
    may_create_account: bool
    may_create_deal: bool


@dataclass
class Conversion:
    lead: Lead
    contact: Contact
    account: Account | None
    deal: Deal | None
    contact_created: bool
    account_created: bool
    moved: dict[str, int] = field(default_factory=dict)  # tasks, events, attendances, mail


def may_convert(principal: Principal, lead: Lead) -> bool:
    """Does the lead's page offer "Convert"? (Not converted yet, editable, contacts creatable.)"""
    return (lead.converted_at is None and can(principal, "create_edit", lead)
            and principal.has("contacts", "create_edit"))


async def accounts_named(principal: Principal, name: str) -> list[Account]:
    """Visible accounts whose name is `name` once width, case and spaces are normalised
    (app.search.normalise: `ＡＢＣ 株式会社` is `abc株式会社`)."""
    wanted = normalise(name)
    if not wanted:
        return []
    # The search text starts with the normalised name: the index narrows, Python decides.
    found = await restrict(Account.filter(search_text__startswith=wanted), principal).order_by(
        "id").limit(DUPLICATES_MAX * 5)
    return [a for a in found if normalise(a.name) == wanted][:DUPLICATES_MAX]


async def contacts_with_email(principal: Principal, email: str) -> list[Contact]:
    """Visible contacts having `email` as their e-mail or secondary e-mail (any case)."""
    email = email.strip()
    if not email:
        return []
    query = Contact.filter(Q(email__iexact=email) | Q(secondary_email__iexact=email))
    return await restrict(query, principal).order_by("id").limit(DUPLICATES_MAX)


async def _convertible(principal: Principal, lead_id: Any) -> Lead:
    lead = await lead_service.get(principal, lead_id, "create_edit")
    if lead.converted_at is not None:
        raise Conflict(NOT_AGAIN)
    return lead


async def offer(principal: Principal, lead_id: Any) -> ConversionOffer:
    lead = await _convertible(principal, lead_id)
    same_name = await accounts_named(principal, lead.company)
    return ConversionOffer(
        lead=lead,
        account=same_name[0] if same_name else None,
        account_name=lead.company,
        same_name_accounts=same_name,
        same_email_contacts=await contacts_with_email(principal, lead.email),
        may_create_account=principal.has("accounts", "create_edit"),
        may_create_deal=principal.has("deals", "create_edit"),
    )


def _id(data: dict[str, Any], key: str) -> int | None:
    """An id given for `key`; None when blank. Anything else that is not an id is refused, never
    read as "none" (a new contact, no account)."""
    value = data.get(key)
    pk = links.as_id(value)
    if pk is None and not (value is None or (isinstance(value, str) and not value.strip())):
        raise ValidationError.single(key, N_("Choose a valid record."))
    return pk


def _refuse_unless(principal: Principal, module: str, msgid: str) -> None:
    if not principal.has(module, "create_edit"):
        raise PermissionDenied(msgid)


async def convert(principal: Principal, lead_id: Any, data: dict[str, Any]) -> Conversion:
    """Convert the lead. `data`:

        account_id    an existing account (visible) to put the contact at; else
        account_name  the name of a new account (blank: no account)
        contact_id    an existing contact (editable) the lead is merged into; else a new one
        deal          None, or {name, amount, currency, stage_id, closing_date} of a new deal

    Raises ValidationError (fields `account_id`, `account_name`, `contact_id`, `deal.<field>`),
    PermissionDenied naming the refused part, Conflict when the lead is already converted."""
    lead = await _convertible(principal, lead_id)
    unknown = set(data) - {"account_id", "account_name", "contact_id", "deal"}
    if unknown:
        raise ValidationError([FieldError(k, N_("Unknown field.")) for k in sorted(unknown)])
    account_id = _id(data, "account_id")
    account_name = str(data.get("account_name") or "").strip()
    contact_id = _id(data, "contact_id")
    deal_data = data.get("deal")
    if deal_data is not None and not isinstance(deal_data, dict):
        raise ValidationError.single("deal", N_("Enter a valid value."))

    # Every part's permission first, so the refusal names the part.
    if contact_id is None:
        _refuse_unless(principal, "contacts", N_("You may not create contacts, so this lead cannot be converted."))
    if account_id is None and account_name:
        _refuse_unless(principal, "accounts", N_("You may not create accounts: choose an existing account."))
    if deal_data is not None:
        _refuse_unless(principal, "deals", N_("You may not create deals: convert without a deal."))

    async with in_transaction():
        account, account_created = await _account(principal, account_id, account_name)
        contact, contact_created = await _contact(principal, lead, contact_id, account)
        deal = await _deal(principal, deal_data, contact, account) if deal_data is not None else None
        moved = await _move(lead, contact)
        now = datetime.now(timezone.utc)
        # Only a lead not converted meanwhile (a second click, another user): else nothing stays.
        marked = await Lead.filter(id=lead.id, converted_at__isnull=True).update(
            converted_at=now, modified_at=now, status=LeadStatus.QUALIFIED, converted_contact_id=contact.id,
            converted_account_id=account.id if account else None,
            converted_deal_id=deal.id if deal else None,
        )
        if not marked:
            raise Conflict(NOT_AGAIN)
    await lead.refresh_from_db()
    return Conversion(lead, contact, account, deal, contact_created, account_created, moved)


async def _account(principal: Principal, account_id: int | None, name: str) -> tuple[Account | None, bool]:
    if account_id is not None:
        account = await restrict(Account.filter(id=account_id), principal).first()
        if account is None:
            raise ValidationError.single("account_id", N_("Choose a valid record."))
        return account, False
    if not name:
        return None, False
    try:
        return await account_service.create(principal, {"name": name}), True
    except ValidationError as exc:  # the new account's name: the form's account_name
        raise ValidationError([FieldError("account_name" if e.field == "name" else e.field, e.msgid, e.params)
                               for e in exc.errors]) from None


def _joined(first: str, second: str) -> str:
    """Two descriptions as one, within the column's bound (the older text is kept whole)."""
    if not second.strip() or second.strip() in first:
        return first
    text = f"{first.rstrip()}\n\n{second.strip()}" if first.strip() else second.strip()
    return text[:LONG_TEXT_MAX]


async def _contact(principal: Principal, lead: Lead, contact_id: int | None,
                   account: Account | None) -> tuple[Contact, bool]:
    if contact_id is not None:
        contact = await restrict(Contact.filter(id=contact_id), principal).first()
        if contact is None:
            raise ValidationError.single("contact_id", N_("Choose a valid record."))
        if not can(principal, "create_edit", contact):
            raise PermissionDenied(N_("You may not edit the existing contact: create a new one instead."))
        changes: dict[str, Any] = {"description": _joined(contact.description, lead.description)}
        if contact.account_id is None and account is not None:
            changes["account_id"] = account.id
        for name in ("first_name", "email", "mobile"):  # fill what the contact lacks
            if not getattr(contact, name) and getattr(lead, name):
                changes[name] = getattr(lead, name)
        if not contact.work_phone and lead.phone:
            changes["work_phone"] = lead.phone
        return await contact_service.update(principal, contact.id, changes), False
    values = {
        "last_name": lead.last_name, "first_name": lead.first_name, "email": lead.email,
        "work_phone": lead.phone, "mobile": lead.mobile, "description": lead.description,
        "account_id": account.id if account else None,
    }
    generated = readings.PERSON.generated_fields(lead)
    for name in readings.PERSON.fields:  # the readings someone entered go with the person
        if getattr(lead, name) and name not in generated:
            values[name] = getattr(lead, name)
    # The lead's owner keeps the person, where the converting user may write their contacts.
    if lead.owner_id != principal.user.id and principal.access_to("contacts", lead.owner_id) == Access.READ_WRITE:
        values["owner_id"] = lead.owner_id
    return await contact_service.create(principal, values), True


async def _deal(principal: Principal, data: dict[str, Any], contact: Contact, account: Account | None) -> Deal:
    unknown = set(data) - set(DEAL_FIELDS)
    if unknown:
        raise ValidationError([FieldError(f"deal.{k}", N_("Unknown field.")) for k in sorted(unknown)])
    values = {k: v for k, v in data.items() if v is not None}
    values.update(account_id=account.id if account else None,
                  contacts=[{"contact_id": contact.id, "role": ""}])
    try:
        return await deal_service.create(principal, values)
    except ValidationError as exc:
        raise ValidationError([FieldError(f"deal.{e.field}", e.msgid, e.params) for e in exc.errors]) from None


async def _move(lead: Lead, contact: Contact) -> dict[str, int]:
    """The lead's tasks, events, attendances and hand-added mail become the contact's."""
    of_lead = {"related_type": RelatedType.LEAD, "related_id": lead.id}
    to_contact = {"related_type": RelatedType.CONTACT, "related_id": contact.id}
    moved = {
        "tasks": await Task.filter(**of_lead).update(**to_contact),
        "events": await Event.filter(**of_lead).update(**to_contact),
    }
    # An event the contact already attends keeps one attendance (merging into a contact).
    attending = EventAttendee.filter(contact_id=contact.id).values_list("event_id", flat=True)
    already = set(await attending)
    if already:
        await EventAttendee.filter(lead_id=lead.id, event_id__in=sorted(already)).delete()
    moved["attendances"] = await EventAttendee.filter(lead_id=lead.id).update(lead_id=None, contact_id=contact.id)
    # The same for mail: one link per e-mail and contact (a unique pair).
    linked = set(await EmailLink.filter(contact_id=contact.id).values_list("email_id", flat=True))
    if linked:
        await EmailLink.filter(lead_id=lead.id, email_id__in=sorted(linked)).delete()
    moved["mail"] = await EmailLink.filter(lead_id=lead.id).update(lead_id=None, contact_id=contact.id)
    return moved
