"""Books: organizations, Books contacts, items, the four transaction kinds, receivables, e-mail
templates and the composition of an e-mail that sends a document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import UNSET

from app.errors import NotFound as NotFoundError
from app.errors import PermissionDenied as PermissionDeniedError
from app.models import Kind
from app.permissions import Principal
from app.services import credit_notes, email_templates, receivables, sending
from app.services import transactions as txns
from app.services.books_contacts import books_contacts
from app.services.items import items
from app.services.organizations import organizations
from schema.context import Info
from schema.errors import Conflict, NotFound, PermissionDenied, ValidationError, attempt
from schema.queries.common import AUTH, AfterArg, FirstArg, get_record, list_records, page
from schema.types.books import BooksContact, ContactType, EmailTemplate, Item, Organization, TransactionKind
from schema.types.books_transactions import (
    TYPE_NAMES,
    EmailComposition,
    Estimate,
    Invoice,
    PurchaseOrder,
    SalesOrder,
    TransactionStatus,
    existing_transaction,
)
from schema.types.connection import Connection, bounded
from schema.types.credit_notes import CreditNote
from schema.types.receivables import CustomerReceivables
from schema.types.filters import (
    BooleanFilter,
    DateFilter,
    DecimalFilter,
    IDFilter,
    SortDirection,
    StringFilter,
    enum_filter,
    order_by,
    search_field,
    to_q,
)
from schema.types.node import pk_of

ContactTypeFilter = enum_filter(ContactType, "ContactTypeFilter")
TransactionStatusFilter = enum_filter(TransactionStatus, "TransactionStatusFilter")


@strawberry.input(description="Filter Books contacts; fields combine with AND.")
class BooksContactFilter:
    search: str | None = search_field()
    id: IDFilter | None = UNSET
    display_name: StringFilter | None = UNSET
    company_name: StringFilter | None = UNSET
    email: StringFilter | None = UNSET
    contact_type: ContactTypeFilter | None = UNSET
    currency: StringFilter | None = UNSET
    is_active: BooleanFilter | None = UNSET
    organization: IDFilter | None = UNSET
    and_: list[BooksContactFilter] | None = strawberry.field(name="and", default=UNSET)
    or_: list[BooksContactFilter] | None = strawberry.field(name="or", default=UNSET)
    not_: BooksContactFilter | None = strawberry.field(name="not", default=UNSET)


@strawberry.enum
class BooksContactOrderField(Enum):
    DISPLAY_NAME = "display_name"
    CREATED_AT = "created_at"
    MODIFIED_AT = "modified_at"


@strawberry.input
class BooksContactOrder:
    field: BooksContactOrderField
    direction: SortDirection = SortDirection.ASC


@strawberry.input(description="Filter items; fields combine with AND.")
class ItemFilter:
    search: str | None = search_field()
    id: IDFilter | None = UNSET
    name: StringFilter | None = UNSET
    sku: StringFilter | None = UNSET
    rate: DecimalFilter | None = UNSET
    tax_rate: DecimalFilter | None = UNSET
    organization: IDFilter | None = UNSET
    and_: list[ItemFilter] | None = strawberry.field(name="and", default=UNSET)
    or_: list[ItemFilter] | None = strawberry.field(name="or", default=UNSET)
    not_: ItemFilter | None = strawberry.field(name="not", default=UNSET)


@strawberry.enum
class ItemOrderField(Enum):
    NAME = "name"
    SKU = "sku"
    RATE = "rate"
    CREATED_AT = "created_at"


@strawberry.input
class ItemOrder:
    field: ItemOrderField
    direction: SortDirection = SortDirection.ASC


@strawberry.input(
    description="Filter estimates, sales orders, invoices or purchase orders; fields combine with AND."
)
class TransactionFilter:
    id: IDFilter | None = UNSET
    number: StringFilter | None = UNSET
    status: TransactionStatusFilter | None = strawberry.field(
        default=UNSET, description="The stored status (EXPIRED and OVERDUE are not stored: filter on dates)."
    )
    contact: IDFilter | None = UNSET
    organization: IDFilter | None = UNSET
    issue_date: DateFilter | None = UNSET
    due_date: DateFilter | None = UNSET
    total: DecimalFilter | None = UNSET
    reference: StringFilter | None = UNSET
    subject: StringFilter | None = UNSET
    search: str | None = search_field()
    and_: list[TransactionFilter] | None = strawberry.field(name="and", default=UNSET)
    or_: list[TransactionFilter] | None = strawberry.field(name="or", default=UNSET)
    not_: TransactionFilter | None = strawberry.field(name="not", default=UNSET)


@strawberry.enum
class TransactionOrderField(Enum):
    NUMBER = "number"
    ISSUE_DATE = "issue_date"
    DUE_DATE = "due_date"
    TOTAL = "total"


@strawberry.input
class TransactionOrder:
    field: TransactionOrderField
    direction: SortDirection = SortDirection.ASC


@dataclass(frozen=True)
class TransactionService:
    """app.services.transactions for one kind, shaped like a RecordService for the shared helpers."""

    kind: Kind

    def query(self, principal: Principal) -> Any:
        return txns.query(principal, self.kind)

    async def get(self, principal: Principal, pk: int) -> Any:
        return await txns.get(principal, self.kind, pk)

    async def create(self, principal: Principal, data: dict[str, Any]) -> Any:
        return await txns.create(principal, self.kind, data)

    async def update(self, principal: Principal, pk: int, data: dict[str, Any]) -> Any:
        return await txns.update(principal, self.kind, pk, data)


class CreditNoteService(TransactionService):
    """Credit notes are created and edited with the invoices they refer to (app.services.credit_notes)."""

    async def create(self, principal: Principal, data: dict[str, Any]) -> Any:
        return await credit_notes.create(principal, data)

    async def update(self, principal: Principal, pk: int, data: dict[str, Any]) -> Any:
        return await credit_notes.update(principal, pk, data)


TRANSACTIONS = {kind: TransactionService(kind) for kind in Kind} | {
    Kind.CREDIT_NOTE: CreditNoteService(Kind.CREDIT_NOTE)}


async def get_transaction(info: Info, kind: Kind, global_id: str) -> Any:
    return await get_record(info, TRANSACTIONS[kind], TYPE_NAMES[kind], global_id)


async def list_transactions(
    info: Info, kind: Kind, first: int | None, after: str | None, filter: TransactionFilter | None,
    order: list[TransactionOrder] | None,
) -> Connection:
    queryset = txns.query(info.context.principal, kind)
    if filter is not None:
        id_types = {"id": TYPE_NAMES[kind], "contact": "BooksContact", "organization": "Organization"}
        queryset = queryset.filter(to_q(filter, id_types, model=queryset.model))
    return await page(info, queryset, order_by(order, ["-issue_date", "-number"]), first, after, TYPE_NAMES[kind],
                      filtered=filter is not None)


ComposeEmailResult = Annotated[
    EmailComposition | ValidationError | NotFound | PermissionDenied | Conflict,
    strawberry.union("ComposeEmailResult"),
]


@strawberry.type
class BooksQuery:
    @strawberry.field(permission_classes=AUTH, description="The organizations you belong to, by name: at most "
                      "`first` (default and maximum 100 unless the server is configured otherwise).")
    async def organizations(self, info: Info, first: int | None = None) -> list[Organization]:
        return await bounded(organizations.query(info.context.principal).order_by("name", "id"), first)

    @strawberry.field(permission_classes=AUTH, description="An organization you belong to; null otherwise.")
    async def organization(self, info: Info, id: strawberry.ID) -> Organization | None:
        return await get_record(info, organizations, "Organization", id)

    @strawberry.field(permission_classes=AUTH, description="A Books contact; null if not visible.")
    async def books_contact(self, info: Info, id: strawberry.ID) -> BooksContact | None:
        return await get_record(info, books_contacts, "BooksContact", id)

    @strawberry.field(permission_classes=AUTH, description="The customers and vendors you may see.")
    async def books_contacts(
        self,
        info: Info,
        first: FirstArg = None,
        after: AfterArg = None,
        filter: BooksContactFilter | None = None,
        order_by: list[BooksContactOrder] | None = None,
    ) -> Connection[BooksContact]:
        return await list_records(
            info, books_contacts, first=first, after=after, filter=filter, order=order_by,
            id_types={"id": "BooksContact", "organization": "Organization"}, default_order=["display_name"],
        )

    @strawberry.field(permission_classes=AUTH, description="An item; null if not visible.")
    async def item(self, info: Info, id: strawberry.ID) -> Item | None:
        return await get_record(info, items, "Item", id)

    @strawberry.field(permission_classes=AUTH, description="The items you may see.")
    async def items(
        self,
        info: Info,
        first: FirstArg = None,
        after: AfterArg = None,
        filter: ItemFilter | None = None,
        order_by: list[ItemOrder] | None = None,
    ) -> Connection[Item]:
        return await list_records(
            info, items, first=first, after=after, filter=filter, order=order_by,
            id_types={"id": "Item", "organization": "Organization"}, default_order=["name"],
        )

    @strawberry.field(permission_classes=AUTH, description="An estimate; null if not visible.")
    async def estimate(self, info: Info, id: strawberry.ID) -> Estimate | None:
        return await get_transaction(info, Kind.ESTIMATE, id)

    @strawberry.field(permission_classes=AUTH, description="The estimates you may see, newest first.")
    async def estimates(
        self,
        info: Info,
        first: FirstArg = None,
        after: AfterArg = None,
        filter: TransactionFilter | None = None,
        order_by: list[TransactionOrder] | None = None,
    ) -> Connection[Estimate]:
        return await list_transactions(info, Kind.ESTIMATE, first, after, filter, order_by)

    @strawberry.field(permission_classes=AUTH, description="A sales order; null if not visible.")
    async def sales_order(self, info: Info, id: strawberry.ID) -> SalesOrder | None:
        return await get_transaction(info, Kind.SALES_ORDER, id)

    @strawberry.field(permission_classes=AUTH, description="The sales orders you may see, newest first.")
    async def sales_orders(
        self,
        info: Info,
        first: FirstArg = None,
        after: AfterArg = None,
        filter: TransactionFilter | None = None,
        order_by: list[TransactionOrder] | None = None,
    ) -> Connection[SalesOrder]:
        return await list_transactions(info, Kind.SALES_ORDER, first, after, filter, order_by)

    @strawberry.field(permission_classes=AUTH, description="An invoice; null if not visible.")
    async def invoice(self, info: Info, id: strawberry.ID) -> Invoice | None:
        return await get_transaction(info, Kind.INVOICE, id)

    @strawberry.field(permission_classes=AUTH, description="The invoices you may see, newest first.")
    async def invoices(
        self,
        info: Info,
        first: FirstArg = None,
        after: AfterArg = None,
        filter: TransactionFilter | None = None,
        order_by: list[TransactionOrder] | None = None,
    ) -> Connection[Invoice]:
        return await list_transactions(info, Kind.INVOICE, first, after, filter, order_by)

    @strawberry.field(permission_classes=AUTH, description="A purchase order; null if not visible.")
    async def purchase_order(self, info: Info, id: strawberry.ID) -> PurchaseOrder | None:
        return await get_transaction(info, Kind.PURCHASE_ORDER, id)

    @strawberry.field(permission_classes=AUTH, description="The purchase orders you may see, newest first.")
    async def purchase_orders(
        self,
        info: Info,
        first: FirstArg = None,
        after: AfterArg = None,
        filter: TransactionFilter | None = None,
        order_by: list[TransactionOrder] | None = None,
    ) -> Connection[PurchaseOrder]:
        return await list_transactions(info, Kind.PURCHASE_ORDER, first, after, filter, order_by)

    @strawberry.field(permission_classes=AUTH, description="A credit note; null if not visible.")
    async def credit_note(self, info: Info, id: strawberry.ID) -> CreditNote | None:
        return await get_transaction(info, Kind.CREDIT_NOTE, id)

    @strawberry.field(permission_classes=AUTH, description="The credit notes you may see, newest first.")
    async def credit_notes(
        self,
        info: Info,
        first: FirstArg = None,
        after: AfterArg = None,
        filter: TransactionFilter | None = None,
        order_by: list[TransactionOrder] | None = None,
    ) -> Connection[CreditNote]:
        return await list_transactions(info, Kind.CREDIT_NOTE, first, after, filter, order_by)

    @strawberry.field(
        permission_classes=AUTH,
        description="Receivables per customer, largest outstanding first; empty without the "
        "receivables grant.",
    )
    async def receivables(
        self,
        info: Info,
        organization_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="One organization; default: all of yours.")
        ] = None,
        as_of: Annotated[
            date | None,
            strawberry.argument(
                description="The day the aging is counted from; default: today in your time zone."
            ),
        ] = None,
    ) -> list[CustomerReceivables]:
        principal = info.context.principal
        org_pk = None
        if organization_id is not None:
            org_pk = pk_of(organization_id, "Organization")
            if org_pk is None:
                return []
        try:
            rows = await receivables.summary(principal, as_of or txns.today_in(principal), org_pk)
        except PermissionDeniedError:
            return []  # like every list: what you may not see is simply not there
        await info.context.loaders.books_contact.load_many([r.contact_id for r in rows])
        return rows

    @strawberry.field(permission_classes=AUTH,
                      description="An organization's e-mail templates for one kind of document.")
    async def email_templates(
        self, info: Info, organization_id: strawberry.ID, kind: TransactionKind
    ) -> list[EmailTemplate]:
        org_pk = pk_of(organization_id, "Organization")
        try:
            return await email_templates.templates_for(info.context.principal, org_pk, kind)
        except NotFoundError:
            return []

    @strawberry.field(
        permission_classes=AUTH,
        description="The e-mail that would send a document (any of the four kinds), filled in from "
        "a template (default: the organization's default one) for review before sending.",
    )
    async def compose_email(
        self, info: Info, id: strawberry.ID, template_id: strawberry.ID | None = None
    ) -> ComposeEmailResult:
        async def compose() -> sending.Composition:
            kind, pk = existing_transaction(id)
            template_pk = pk_of(template_id, "EmailTemplate") if template_id is not None else None
            return await sending.compose(info.context.principal, kind, pk, template_pk)

        return await attempt(info, compose)
