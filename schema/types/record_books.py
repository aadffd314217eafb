"""Books inside the CRM: the `books` field of Account, Contact and Deal (app.services.books_crm
decides; `Loaders.books_by_record` batches a page of records into a few queries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry

from app import kinds
from app.services.books_crm import BooksDocument, PaymentStatus as PaymentStatusValues, RecordBooks as RecordBooksData
from schema.context import Info
from schema.loaders import ready
from schema.types.books import TransactionKind, exact
from schema.types.books_transactions import DisplayStatus
from schema.types.receivables import CustomerReceivables
from schema.types.node import model_type_check, to_global_id

PaymentStatus = strawberry.enum(
    Enum("PaymentStatus", {name: value for name, value in vars(PaymentStatusValues).items()
                           if not name.startswith("_")}),
    description="How far an invoice is paid: UNPAID, PARTIALLY_PAID, PAID, or OVERDUE (past its due date "
    "with a balance).",
)


@dataclass(frozen=True)
class Listed:
    """A document as listed for one record (its URLs are under the record's)."""

    doc: BooksDocument
    base: str

    @property
    def txn(self) -> Any:
        return self.doc.txn


@strawberry.type(description="An estimate, sales order or invoice of a CRM record, as the CRM lists it.")
class RecordBooksDocument:
    is_type_of = model_type_check(Listed)

    @strawberry.field(description="The document's global id (an Estimate, SalesOrder or Invoice id).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id(kinds.of(self.txn.kind).type_name, self.txn.id))

    @strawberry.field
    def kind(self) -> TransactionKind:
        return self.txn.kind

    @strawberry.field
    def number(self) -> str:
        return self.txn.number

    @strawberry.field
    def issue_date(self) -> date:
        return self.txn.issue_date

    @strawberry.field(description="Estimates: expiry date; invoices: due date; orders: delivery date.")
    def due_date(self) -> date | None:
        return self.txn.due_date

    @strawberry.field(name="status", description="As the pages show it (EXPIRED, OVERDUE as of today).")
    def status_(self) -> DisplayStatus:
        return self.doc.display_status

    @strawberry.field
    def currency(self) -> str:
        return self.txn.currency

    @strawberry.field
    def total(self) -> Decimal:
        return exact(self.txn.total)

    @strawberry.field(description="Invoices: what is still owed; null for other kinds.")
    def balance_due(self) -> Decimal | None:
        return exact(self.txn.balance) if kinds.of(self.txn.kind).has_balance else None

    @strawberry.field(name="paymentStatus", description="Invoices only (null for drafts, void invoices and other kinds).")
    def payment_status_(self) -> PaymentStatus | None:
        return self.doc.payment_status

    @strawberry.field(description="The document's page in the CRM, reached from this record.")
    def url(self) -> str:
        return f"{self.base}/{kinds.of(self.txn.kind).slug}/{self.txn.id}"

    @strawberry.field(description="Its PDF, reached from this record (the CRM's rules apply to the link).")
    def pdf_url(self) -> str:
        return f"{self.base}/{kinds.of(self.txn.kind).slug}/{self.txn.id}.pdf"


@strawberry.type(description="The Books data of a CRM record, read through the link to Books under your "
                 "role's grants for estimates, sales orders, invoices and receivables.")
class RecordBooks:
    is_type_of = model_type_check(RecordBooksData)

    @strawberry.field(description="Estimates, sales orders and invoices you may see, newest first (at most "
                      "100): a deal's are those the automation made; an account's or contact's those of its "
                      "linked Books customers.")
    def documents(self) -> list[RecordBooksDocument]:
        base = f"/{self.module}/{self.record_id}/books"
        return [Listed(doc, base) for doc in self.documents]

    @strawberry.field(name="receivables", description="What the record's Books customers owe; null without "
                      "the receivables view grant, and for deals.")
    def receivables_(self) -> list[CustomerReceivables] | None:
        return self.receivables

    @strawberry.field(description="The kinds you may create from this record (none from a deal).")
    def can_create(self) -> list[TransactionKind]:
        return [] if self.module == "deals" else list(self.access.creatable)

    @strawberry.field(description="The kinds you may e-mail as PDF.")
    def can_email(self) -> list[TransactionKind]:
        return list(self.access.emailable)


def books_field(module: str) -> Any:
    """`books` on Account, Contact and Deal: null when the integration is not there for you (no
    active link, or no invoice view grant)."""

    def resolve(root: Any, info: Info) -> RecordBooks | None:
        return ready(info.context.loaders.books_by_record, (module, root.id))

    return strawberry.field(resolver=resolve, description=(
        "Its Books estimates, sales orders, invoices and receivables; null when the Books integration is "
        "not there for you (no active link, or no invoice view grant)."), metadata={"columns": ("id",)})
