"""Books master data pages: customers & vendors (/books/contacts) and items (/books/items).

Both are `RecordPages` descriptions, through `BooksPages`, which adapts the generic pages to
records that belong to an organization instead of an owner: lists show the organization the user
works in now (the header's switcher), URLs live under /books, and amounts are shown in the
organization's currency. Contacts add an htmx editor for their
contact persons and a Documents panel; both go through the services like every other write.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.models import Model
from tortoise.queryset import QuerySet

from app import cleaning
from app.errors import NotFound, ValidationError
from app.i18n import N_
from app.limits import limit_body, upload_limit
from app.models import BooksContact, ContactPerson, ContactType, Organization
from app.permissions import Principal, can, require
from app.services import customer_overview, documents, payment_terms
from app.services.transactions import today_in
from app.services.books_contacts import IN_USE, PERSON_FIELDS, books_contacts
from app.services.items import items
from app.services.tax import TAX_RATES
from views.accounts import address
from views.books.kinds import DISPLAY_LABELS, PAGES_OF_KIND
from views.choices import CURRENCIES
from views.htmx import is_partial, redirect_after_post
from views.pages import page
from views.records import (
    Column, Field, Filter, RecordPages, Section, choices_of, error_map,
)
from views.flash import flash_text
from views.templating import render, translator

TEMPLATES = "books_masters"


class BooksPages(RecordPages):
    """`RecordPages` for the records of an organization: lists show the organization the user
    works in now (the header's switcher); amounts are in the organization's currency."""

    def scope(self, queryset: QuerySet, principal: Principal) -> QuerySet:
        return queryset.filter(organization_id=principal.current_organization_id)

    async def context(self, request: Request, obj: Model | None = None) -> dict[str, Any]:
        org_id = obj.organization_id if obj is not None else request.state.principal.current_organization_id
        organization = await Organization.get_or_none(id=org_id or 0)
        return {"organization": organization, "currency": organization.currency if organization else "JPY"}


def address_section(prefix: str, title: str) -> Section:
    """An address block with its attention line (宛名), as Books records keep them."""
    return Section(title, (Field(f"{prefix}_attention", N_("Attention")), *address(prefix, title, building=False).fields))


# ---- contacts: persons editor ----------------------------------------------------------------

PERSONS_EDITOR = "/books/contacts/persons-editor"
BLANK_PERSON = {**{name: "" for name in PERSON_FIELDS}, "is_primary": False}


def read_persons(data: Mapping[str, Any], keep_blank: bool = False) -> list[dict[str, Any]]:
    """The rows of the persons editor (`persons-<i>-<field>`, radio `primary` = i), in order.
    Rows left blank are dropped, except while editing (the row just added is blank)."""
    indexes = sorted({cleaning.index(k.split("-")[1]) for k in data.keys()
                      if k.startswith("persons-") and k.count("-") >= 2} - {None})
    rows = []
    for i in indexes:
        row = {name: str(data.get(f"persons-{i}-{name}", "")).strip() for name in PERSON_FIELDS}
        if keep_blank or any(row.values()):
            rows.append({**row, "is_primary": data.get("primary") == str(i)})
    return rows


def parse_persons(form: Mapping[str, Any]) -> dict[str, Any]:
    return {"persons": read_persons(form)}


async def initial_persons(contact: BooksContact) -> dict[str, Any]:
    rows = await ContactPerson.filter(books_contact_id=contact.id).values(*PERSON_FIELDS, "is_primary")
    return {"persons": rows}


async def persons_editor(request: Request) -> Response:
    """Add (`add`) or remove (`remove=<i>`) a row: the editor comes back with what was typed."""
    require(request.state.principal, "create_edit", "books_contacts")
    params = request.query_params
    rows = read_persons(params, keep_blank=True)
    remove = cleaning.index(params.get("remove", ""), len(rows))
    if remove is not None:
        rows.pop(remove)
    if "add" in params or not rows:
        rows.append(dict(BLANK_PERSON))
    return render(request, "records/_widget_persons.html", {"values": {"persons": rows}, "errors": {}})


# ---- contacts: documents -------------------------------------------------------------------


async def _documents_panel(request: Request, contact: BooksContact, status_code: int = 200,
                           errors: dict | None = None) -> Response:
    context = {
        "obj": contact, "documents": await documents.documents_of(request.state.principal, "contact", contact.id),
        "can_edit": can(request.state.principal, "create_edit", contact), "doc_errors": errors or {},
    }
    return render(request, f"{TEMPLATES}/_documents.html", context, status_code=status_code)


async def document_list(request: Request) -> Response:
    contact = await books_contacts.get(request.state.principal, request.path_params["id"])
    return await _documents_panel(request, contact)


async def document_upload(request: Request) -> Response:
    principal = request.state.principal
    contact = await books_contacts.get(principal, request.path_params["id"], "create_edit")
    upload = (await request.form()).get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationError.single("file", N_("Choose a file."))
        await documents.upload(principal, "contact", contact.id, upload.filename, upload.file)
    except ValidationError as exc:
        return await _documents_panel(request, contact, 422, error_map(exc, request))
    return await _after_document_change(request, contact)


async def document_delete(request: Request) -> Response:
    principal = request.state.principal
    contact = await books_contacts.get(principal, request.path_params["id"], "create_edit")
    doc = await documents.get(principal, request.path_params["doc_id"], "create_edit")
    if doc.books_contact_id != contact.id:
        raise NotFound()
    await documents.delete(principal, doc.id)
    return await _after_document_change(request, contact)


async def _after_document_change(request: Request, contact: BooksContact) -> Response:
    if is_partial(request):
        return await _documents_panel(request, contact)
    return redirect_after_post(request, contacts_pages.url(contact) + "#documents")


# ---- contacts ------------------------------------------------------------------------------

ACTIVE = (("True", N_("Active")), ("False", N_("Inactive")))
STATE_FILTER = (("", N_("All")), ("active", N_("Active")), ("inactive", N_("Inactive")))


def _by_state(qs: QuerySet, value: str, principal: Principal) -> QuerySet:
    return qs.filter(is_active=value == "active")


class ContactPages(BooksPages):
    """Customers & vendors: one with documents cannot be deleted; its page says so and offers to
    make it inactive instead (no longer offered for new documents), and back."""

    async def confirm_delete(self, request: Request) -> Response:
        obj = await self.service.get(request.state.principal, request.path_params["id"], "delete")
        if await books_contacts.in_use(obj):
            return self._cannot_delete(request, obj, 200)
        return await super().confirm_delete(request)

    async def delete(self, request: Request) -> Response:
        obj = await self.service.get(request.state.principal, request.path_params["id"])
        if await books_contacts.in_use(obj):  # the service refuses too; the page offers the way out
            return self._cannot_delete(request, obj, 409)
        return await super().delete(request)

    def _cannot_delete(self, request: Request, obj: BooksContact, status_code: int) -> Response:
        context = {"pages": self, "obj": obj, "message": translator(request)(IN_USE),
                   "can_edit": can(request.state.principal, "create_edit", obj)}
        return render(request, f"{TEMPLATES}/cannot_delete.html", context, status_code=status_code)

    def activation(self, active: bool):
        async def endpoint(request: Request) -> Response:
            principal = request.state.principal
            obj = await books_contacts.get(principal, request.path_params["id"], "create_edit")
            obj = await books_contacts.set_active(principal, obj.id, active)
            _ = translator(request)
            party = _(N_("Vendor") if obj.contact_type == ContactType.VENDOR else N_("Customer"))
            flash_text(request, _(ACTIVATED if active else DEACTIVATED) % {"kind": party, "name": str(obj)})
            return redirect_after_post(request, self.url(obj))

        endpoint.__name__ = "books_contact_activate" if active else "books_contact_deactivate"
        return endpoint

    def routes(self) -> list[Route]:
        base = self.url()
        return [
            Route(f"{base}/{{id:id}}/deactivate", page(self.activation(False), self.module), methods=["POST"]),
            Route(f"{base}/{{id:id}}/activate", page(self.activation(True), self.module), methods=["POST"]),
            *super().routes(),
        ]


ACTIVATED = N_("%(kind)s “%(name)s” is active again.")
DEACTIVATED = N_("%(kind)s “%(name)s” is now inactive: it is no longer offered for new documents.")

CONTACT_TYPES = choices_of({ContactType.CUSTOMER: N_("Customer"), ContactType.VENDOR: N_("Vendor")})


def parse_terms(form: Mapping[str, Any]) -> dict[str, Any]:
    """Payment terms from their parts (records/_widget_terms.html), or a code posted as it is;
    nothing when neither was sent (the stored terms stay). Checked by the service."""
    if "payment_terms_kind" not in form:
        return {"payment_terms": str(form["payment_terms"])} if "payment_terms" in form else {}
    return {"payment_terms": payment_terms.from_parts(
        {k: form.get(f"payment_terms_{k}", "") for k in ("kind", "net_days", "closing", "offset", "payment")})}


async def initial_terms(record: Any) -> dict[str, Any]:
    return {"payment_terms": record.payment_terms}
# Form values as RecordPages writes booleans (form_value(True) == "True").
ADDRESSED_AS = (("True", N_("Company (御中)")), ("False", N_("Person (様)")))


def _of_type(qs: QuerySet, value: str, principal: Principal) -> QuerySet:
    return qs.filter(contact_type=value)


async def _contact_extra(request: Request, contact: BooksContact) -> dict[str, Any]:
    principal = request.state.principal
    return {
        "persons": await ContactPerson.filter(books_contact_id=contact.id),
        "documents": await documents.documents_of(principal, "contact", contact.id),
        "doc_errors": {},
        "overview": await customer_overview.overview(principal, contact, today_in(principal)),
        "kind_pages": PAGES_OF_KIND, "status_labels": DISPLAY_LABELS,
        # A customer without terms of its own is billed by the organization's: say which.
        "organization_terms": "" if contact.payment_terms else payment_terms.text(
            (await Organization.get(id=contact.organization_id)).payment_terms, request.state.lang),
    }


contacts_pages = ContactPages(
    module="books_contacts",
    path="/books/contacts",
    service=books_contacts,
    singular=N_("Customer or vendor"),
    mail=True,  # a Mail panel (views/mail/tabs.py)
    plural=N_("Customers & vendors"),
    sections=(
        Section(N_("Customer or vendor"), (
            Field("display_name", N_("Display name"), required=True),
            Field("contact_type", N_("Type"), "select", CONTACT_TYPES, blank=False),
            Field("is_company", N_("Addressed as"), "select", ADDRESSED_AS, blank=False, on_detail=False),
            Field("company_name", N_("Company name")),
            Field("email", N_("E-mail"), "email"),
            Field("phone", N_("Phone"), "tel"),
            Field("website", N_("Website"), "url"),
        )),
        Section(N_("Terms"), (
            # empty: the organization's terms, which the page names
            Field("payment_terms", N_("Payment terms"), "terms", parse=parse_terms, initial=initial_terms,
                  shown_empty=True),
            Field("currency", N_("Currency"), "select", CURRENCIES, blank=False, translate=False),
            Field("registration_number", N_("Registration number")),
        )),
        Section(N_("Contact persons"), (
            Field("persons", N_("Contact persons"), "persons", parse=parse_persons,
                  initial=initial_persons, on_detail=False),
        )),
        address_section("billing", N_("Billing address")),
        address_section("shipping", N_("Shipping address")),
        Section(N_("Notes"), (Field("notes", N_("Notes"), "textarea"),)),
    ),
    columns=(
        Column(N_("Name"), "display_name", "link"),
        Column(N_("Type"), "contact_type", "choice", CONTACT_TYPES),
        Column(N_("E-mail"), "email"),
        Column(N_("Phone"), "phone"),
        Column(N_("Payment terms"), "payment_terms", "terms"),
        Column(N_("Status"), "is_active", "choice", ACTIVE),
    ),
    filters=(Filter("type", N_("Type"), (("", N_("All")), ("customer", N_("Customers")),
                                         ("vendor", N_("Vendors"))), _of_type),
             Filter("state", N_("Status"), STATE_FILTER, _by_state)),
    extra_detail=_contact_extra,
    defaults={"contact_type": "customer", "is_company": "True", "currency": "JPY", "payment_terms": ""},
    detail_template=f"{TEMPLATES}/contact.html",
)


# ---- items ---------------------------------------------------------------------------------


def _rate_value(rate: Decimal) -> str:
    return format(rate.normalize(), "f")


items_pages = BooksPages(
    module="items",
    path="/books/items",
    service=items,
    singular=N_("Item"),
    plural=N_("Items"),
    sections=(
        Section(N_("Item"), (
            Field("name", N_("Name"), required=True),
            Field("sku", N_("SKU")),
            Field("unit", N_("Unit")),
            Field("rate", N_("Rate"), "amount"),
            # The widget labels the rates itself ("8% (reduced)"): one msgid with a parameter.
            Field("tax_rate", N_("Tax rate"), "tax_rate", tuple((_rate_value(r),) * 2 for r in TAX_RATES)),
            Field("is_active", N_("Status"), "select", ACTIVE, blank=False),
        )),
        Section(N_("Description"), (Field("description", N_("Description"), "textarea"),)),
    ),
    columns=(
        Column(N_("Name"), "name", "link"),
        Column(N_("SKU"), "sku"),
        Column(N_("Unit"), "unit"),
        Column(N_("Rate"), "rate", "money"),
        Column(N_("Tax rate"), "tax_rate", "tax_rate"),
    ),
    filters=(Filter("state", N_("Status"), STATE_FILTER, _by_state),),
    defaults={"is_active": "True", "tax_rate": _rate_value(TAX_RATES[0])},
)


def _contact_routes() -> list[Route]:
    base = contacts_pages.path
    return [
        Route(PERSONS_EDITOR, page(persons_editor, "books_contacts")),
        Route(f"{base}/{{id:id}}/documents", page(document_list, "books_contacts")),
        limit_body(Route(f"{base}/{{id:id}}/documents", page(document_upload, "books_contacts"), methods=["POST"]),
                   upload_limit()),
        Route(f"{base}/{{id:id}}/documents/{{doc_id:id}}/delete", page(document_delete, "books_contacts"),
              methods=["POST"]),
    ]


routes = [*_contact_routes(), *contacts_pages.routes(), *items_pages.routes()]
