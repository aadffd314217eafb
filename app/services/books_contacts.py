"""Books contacts: customers and vendors with their contact persons and payment terms."""

from __future__ import annotations

from datetime import date
from typing import Any

from tortoise.models import Model

from app.i18n import N_
from app.models import BooksContact, ContactPerson, Transaction
from app.money import MINOR_UNITS
from app.permissions import Principal
from app.services import payment_terms
from app.services.organizations import (
    OrganizationScoped,
    normalize_registration_number,
    registration_number_problem,
)
from app.services.records import EMAIL_RE, Cleaned, RecordService

IN_USE = N_("This customer or vendor has documents, so it cannot be deleted: make it inactive instead.")
_ADDRESS = ("attention", "street", "city", "state", "code", "country")
PERSON_FIELDS = {"last_name": 80, "first_name": 40, "email": 254, "phone": 30}
MAX_PERSONS = 50

def due_date_for(terms: str, issued: date) -> date:
    """The due date an invoice issued on `issued` gets from payment terms (a code)."""
    return payment_terms.due_date_for(terms, issued)


class BooksContactService(OrganizationScoped, RecordService):
    model = BooksContact
    fields = (
        "contact_type", "is_company", "display_name", "company_name", "email", "phone", "website",
        "payment_terms", "currency", "registration_number", "notes", "is_active", "organization_id", "persons",
        *(f"billing_{p}" for p in _ADDRESS),
        *(f"shipping_{p}" for p in _ADDRESS),
    )
    required = ("display_name",)

    async def coerce(self, principal: Principal, name: str, value: Any, cleaned: Cleaned) -> Any:
        if name == "organization_id":
            return value  # checked by assign_organization
        if name == "persons":
            return _clean_persons(value, cleaned)
        if name == "registration_number":
            value = normalize_registration_number(value)
        if name == "payment_terms":
            return payment_terms.coerce(value, cleaned.error, blank_allowed=True)
        return await super().coerce(principal, name, value, cleaned)

    async def validate(self, principal: Principal, cleaned: Cleaned, instance: Model | None) -> None:
        await super().validate(principal, cleaned, instance)
        values = cleaned.values
        if values.get("registration_number") and (
            problem := registration_number_problem(values["registration_number"])
        ):
            cleaned.error("registration_number", problem)
        if "currency" in values and values["currency"] not in MINOR_UNITS:
            cleaned.error("currency", N_("Choose one of the offered values."))
        if instance is not None and "currency" in values and values["currency"] != instance.currency:
            if await Transaction.filter(contact_id=instance.id).exists():
                cleaned.error("currency", N_("The currency cannot change once transactions exist."))

    async def save_related(self, principal: Principal, obj: Model, values: dict[str, Any], created: bool) -> None:
        if "persons" not in values:
            return
        await ContactPerson.filter(books_contact_id=obj.id).delete()
        persons = values["persons"]
        primary = next((i for i, p in enumerate(persons) if p["is_primary"]), 0)
        for i, person in enumerate(persons):  # exactly one primary: the first marked, else the first
            person["is_primary"] = i == primary
        await ContactPerson.bulk_create([ContactPerson(books_contact_id=obj.id, **p) for p in persons])


    async def in_use(self, obj: BooksContact) -> bool:
        """Documents are addressed to it: it cannot be deleted, only made inactive."""
        return await Transaction.filter(contact_id=obj.id).exists()

    async def set_active(self, principal: Principal, record_id: Any, active: bool) -> BooksContact:
        """Make a customer or vendor inactive (no longer offered for new documents) or active again."""
        return await self.update(principal, record_id, {"is_active": active})

    async def before_delete(self, obj: BooksContact) -> None:
        """Refuse early when documents point at the contact; else its files go with it."""
        from app.errors import Conflict
        from app.models import Document
        from app.services.documents import storage_path

        if await self.in_use(obj):
            raise Conflict(IN_USE)
        for name in await Document.filter(books_contact_id=obj.id).values_list("storage_name", flat=True):
            storage_path(name).unlink(missing_ok=True)


def _clean_persons(value: Any, cleaned: Cleaned) -> list[dict[str, Any]]:
    persons: list[dict[str, Any]] = []
    if not isinstance(value, (list, tuple)):
        cleaned.error("persons", N_("Enter a list of contact persons."))
        return persons
    if len(value) > MAX_PERSONS:
        cleaned.error("persons", N_("At most %(max)d contact persons."), max=MAX_PERSONS)
        return persons
    for i, raw in enumerate(value):
        person: dict[str, Any] = {"is_primary": bool(raw.get("is_primary"))}
        for name, limit in PERSON_FIELDS.items():
            text = str(raw.get(name) or "").strip()
            if len(text) > limit:
                cleaned.error(f"persons.{i}.{name}", N_("Must be at most %(max)d characters (now %(length)d)."),
                              max=limit, length=len(text))
            person[name] = text
        if not person["last_name"]:
            cleaned.error(f"persons.{i}.last_name", N_("This field is required."))
        if person["email"] and not EMAIL_RE.match(person["email"]):
            cleaned.error(f"persons.{i}.email", N_("Enter a valid e-mail address."))
        persons.append(person)
    return persons


books_contacts = BooksContactService()
