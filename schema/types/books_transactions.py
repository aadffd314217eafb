"""Estimates, sales orders, invoices and purchase orders: four types sharing the `Transaction`
interface (one table underneath, told apart by `kind`), with their lines, tax rows, comments,
documents and, for invoices, payments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from app import kinds
from app.errors import NotFound
from app.models import Comment as CommentModel
from app.models import CommentKind as CommentKindEnum
from app.models import Document as DocumentModel
from app.models import Kind
from app.models import Payment as PaymentModel
from app.models import PaymentMode as PaymentModeEnum
from app.models import DiscountType as DiscountTypeEnum
from app.models import Status
from app.models import TaxCategory as TaxCategoryEnum
from app.models import Transaction as TransactionModel
from app.money import to_yen
from app.services import history, workflow
from app.services.sending import Composition
from app.services.tax import RateTotal
from app.services.transactions import today_in
from schema.context import Info
from schema.loaders import ready
from schema.types.books import (
    BooksContact,
    EmailTemplate,
    Item,
    Organization,
    PaymentTerms,
    PaymentTermsRule,
    decimal_field,
    exact,
    organization_field,
    preset,
    terms_rule,
)
from schema.types.node import Node, from_global_id, global_id_field, model_type_check, to_global_id
from schema.types.users import User

if TYPE_CHECKING:
    from schema.types.credit_notes import CreditApplication

TransactionStatus = strawberry.enum(Status, name="TransactionStatus")
DisplayStatus = strawberry.enum(
    Enum("DisplayStatus", {**{s.name: s.value for s in Status}, "EXPIRED": "expired", "OVERDUE": "overdue"}),
    description="The stored status, or EXPIRED (an estimate past its expiry date) or OVERDUE "
    "(an invoice past its due date with a balance), as of today in your time zone.",
)
PaymentMode = strawberry.enum(PaymentModeEnum, name="PaymentMode")
DocumentAction = strawberry.enum(
    Enum("DocumentAction", {name.upper(): name for name, _, _ in workflow.OFFERS}),
    description="Something a user may do with a document: edit it, e-mail it, change its status or "
    "convert it (CONVERT_TO_SALES_ORDER, CONVERT_TO_INVOICE).",
)
CommentKind = strawberry.enum(CommentKindEnum, name="CommentKind")
TaxCategory = strawberry.enum(
    TaxCategoryEnum, name="TaxCategory",
    description="A line's consumption-tax category: STANDARD (課税 10%), REDUCED (軽減 8%), EXPORT "
    "(免税, exports at 0%), EXEMPT (非課税), OUT_OF_SCOPE (不課税).")
DiscountType = strawberry.enum(DiscountTypeEnum, name="DiscountType",
                               description="A document discount: an AMOUNT of money, or a PERCENT of the lines' sum.")

# The GraphQL type of each kind (and of its global ids), and where its PDF is served.
TYPE_NAMES = {k.kind: k.type_name for k in kinds.KINDS}
KINDS = {name: kind for kind, name in TYPE_NAMES.items()}
PDF_PATHS = {k.kind: k.slug for k in kinds.KINDS}


def existing_transaction(global_id: str) -> tuple[Kind, int]:
    """(kind, pk) named by the global id of a transaction of any kind; NotFound for other ids."""
    decoded = from_global_id(global_id)
    if decoded is None or decoded[0] not in KINDS:
        raise NotFound()
    return KINDS[decoded[0]], decoded[1]


def kind_type_check(kind: Kind) -> classmethod:
    """`is_type_of` for one kind: every kind is a Transaction model instance."""

    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, cls) or (isinstance(obj, TransactionModel) and obj.kind == kind)

    is_type_of.model, is_type_of.columns = TransactionModel, ("kind",)  # read by schema.columns
    return classmethod(is_type_of)


@strawberry.type(description="One tax category of a document: its amount after the document discount "
                 "and its consumption tax, computed once per rate (qualified-invoice rules). Categories "
                 "without tax (EXPORT, EXEMPT, OUT_OF_SCOPE) are listed by themselves, with no tax.")
class TaxRow:
    rate: Decimal = strawberry.field(description="Percent: 10, 8 or 0.")
    subtotal: Decimal = strawberry.field(description="Excluding tax, after the document discount.")
    tax: Decimal = strawberry.field(description="With tax-inclusive prices: the tax the amount includes.")
    category: TaxCategory
    discount: Decimal = strawberry.field(description="The share of the document discount it took.")
    total: Decimal = strawberry.field(description="Subtotal plus tax.")
    subtotal_jpy: Decimal | None = strawberry.field(
        default=None, description="A document in another currency: the subtotal converted to yen at its "
        "exchange rate (with tax-inclusive prices, less the tax in yen); null on yen documents.")
    tax_jpy: Decimal | None = strawberry.field(
        default=None, description="A document in another currency: the rate's tax in yen, computed once "
        "from the yen amount with the organization's rounding (qualified-invoice rules); null on yen documents.")


def tax_row(row: Any) -> TaxRow:
    """A GraphQL tax row from an app.services.tax.RateTotal."""
    return TaxRow(rate=exact(row.rate), subtotal=exact(row.subtotal), tax=exact(row.tax),
                  category=TaxCategory(row.category.value), discount=exact(row.discount), total=exact(row.total),
                  subtotal_jpy=None if row.subtotal_jpy is None else exact(row.subtotal_jpy),
                  tax_jpy=None if row.tax_jpy is None else exact(row.tax_jpy))


def _optional_decimal(name: str, description: str) -> Any:
    def resolve(root: Any) -> Decimal | None:
        value = getattr(root, name)
        return None if value is None else exact(value)

    return strawberry.field(resolver=resolve, description=description, metadata={"columns": (name,)})


@strawberry.type(description="One line of a document; `amount` is quantity x rate less the discount.")
class TransactionLine:
    position: int
    description: str
    unit: str
    quantity: Decimal = decimal_field("quantity")
    rate: Decimal = decimal_field("rate")
    discount: Decimal = decimal_field("discount", "Percent.")
    tax_rate: Decimal = decimal_field("tax_rate", "Percent: 10, 8 or 0 (the category's rate).")
    tax_category: TaxCategory
    amount: Decimal = decimal_field("amount", "With tax when the document's prices include tax; negative "
                                    "for a discount line.")
    delivery_date: date | None = strawberry.field(
        description="納品日. A sales order's line: its own delivery date (none: the order's `dueDate`, else its "
        "`issueDate`). An invoice's line: the delivery date of the order line it bills.")

    @strawberry.field(description="A sales order's line: an invoice bills it already (it is not billed again).",
                      metadata={"columns": ("billed_line_id",)})
    def is_billed(self) -> bool:
        return self.billed_line_id is not None

    @strawberry.field(description="The item the line was made from; null when none or not visible to you.")
    def item(self, info: Info) -> Item | None:
        if self.item_id is None:
            return None
        return ready(info.context.loaders.item, self.item_id)

    @strawberry.field(description="A consolidated invoice's line: the sales order it was billed from; null "
                      "when none or not visible to you.")
    def source_order(self, info: Info) -> SalesOrder | None:
        if self.source_order_id is None:
            return None
        return ready(info.context.loaders.transaction, self.source_order_id)


@strawberry.type(description="A note written by a user, or an entry of the document's history.")
class Comment(Node):
    id: strawberry.ID = global_id_field("Comment")
    kind: CommentKind
    action: str = strawberry.field(description="History entries: created, mark_sent, sent, paid, ...")
    created_at: datetime
    visible_to_customer: bool = strawberry.field(
        description="A note the customer sees in the customer portal (their own notes always are).")
    customer_author: str = strawberry.field(
        description="A note written in the customer portal: who wrote it; empty otherwise.")
    is_type_of = model_type_check(CommentModel)

    @strawberry.field(description="The note, or the history entry in your language.")
    def text(self, info: Info) -> str:
        return history.render_comment(self, info.context.gettext)

    @strawberry.field(description="Who wrote it or did it; null for the system and the customer.")
    def author(self, info: Info) -> User | None:
        if self.author_id is None:
            return None
        return ready(info.context.loaders.user, self.author_id)


@strawberry.type(description="A file attached to a document.")
class Document(Node):
    id: strawberry.ID = global_id_field("Document")
    filename: str
    content_type: str
    size: int = strawberry.field(description="In bytes.")
    created_at: datetime
    is_type_of = model_type_check(DocumentModel)

    @strawberry.field(description="Where the file is downloaded (with your session).")
    def download_url(self) -> str:
        return f"/books/documents/{self.id}"


@strawberry.type(description="A payment received against an invoice. A void one no longer counts.")
class Payment(Node):
    id: strawberry.ID = global_id_field("Payment")
    amount: Decimal = decimal_field("amount", "In the invoice's currency.")
    date: date
    mode: PaymentMode
    reference: str
    notes: str
    voided_at: datetime | None
    created_at: datetime
    is_type_of = model_type_check(PaymentModel)


@strawberry.type(description="A bank transfer the customer reported in the customer portal; confirm it "
                 "(`confirmTransferReport`) once the money arrived and it becomes a payment.")
class TransferReport:
    transfer_date: date
    amount: Decimal = decimal_field("amount", "In the invoice's currency.")
    remitter: str = strawberry.field(description="The name the transfer was sent under (振込名義).")
    reported_by: str
    created_at: datetime
    confirmed_at: datetime | None

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("TransferReport", self.id))


@strawberry.interface(description="What estimates, sales orders, invoices and purchase orders share.")
class Transaction(Node):
    number: str
    status: TransactionStatus
    issue_date: date
    due_date: date | None = strawberry.field(
        description="Estimates: the expiry date. Invoices: the due date. Orders: the expected delivery date."
    )
    reference: str
    subject: str
    currency: str = strawberry.field(description="ISO 4217 code: the contact's currency.")
    exchange_rate: Decimal | None = _optional_decimal(
        "exchange_rate", "Yen per 1 unit of `currency` (up to 6 decimals); null on yen documents.")
    exchange_rate_date: date | None = strawberry.field(description="The day of `exchangeRate`; null on yen documents.")
    notes: str
    terms: str
    transaction_date: date | None = strawberry.field(
        description="The transaction date (取引年月日), or the first day of the period; apart from the issue date.")
    transaction_date_end: date | None = strawberry.field(
        description="The last day of the transaction period; null for a single date.")
    prices_include_tax: bool = strawberry.field(
        description="Tax-inclusive prices (内税): the tax is extracted once per rate from the rate's total.")
    discount_type: DiscountType
    discount_value: Decimal = decimal_field("discount_value", "The document discount as entered: an amount or "
                                            "a percent (see `discountType`).")
    discount_total: Decimal = decimal_field("discount_total", "The document discount in money, allocated to the "
                                            "tax categories in proportion (`taxRows.discount`).")
    subtotal: Decimal = decimal_field("subtotal", "Before tax and after the discount, in `currency`.")
    tax_total: Decimal = decimal_field("tax_total")
    total: Decimal = decimal_field("total")
    sent_at: datetime | None
    viewed_at: datetime | None = strawberry.field(description="When the customer first opened it.")
    created_at: datetime
    modified_at: datetime
    organization: Organization = organization_field()

    @strawberry.field(description="`total` in yen at the exchange rate (rounded to the yen): what reports "
                      "total; null for a document in another currency without a rate.",
                      metadata={"columns": ("total", "currency", "exchange_rate")})
    def total_jpy(self) -> Decimal | None:
        value = to_yen(self.total, self.currency, self.exchange_rate)
        return None if value is None else exact(value)

    @strawberry.field(description="The status as shown to users.")
    def display_status(self, info: Info) -> DisplayStatus:
        return DisplayStatus(workflow.display_status(self, today_in(info.context.principal)))

    @strawberry.field(description="What you may do with the document now, as its page offers: allowed by "
                      "its kind and status, your grants and the organization's edition.",
                      metadata={"columns": ("kind", "status", "organization_id")})
    async def available_actions(self, info: Info) -> list[DocumentAction]:
        organization = await info.context.loaders.organization.load(self.organization_id)
        return [DocumentAction(name) for name in
                workflow.available_actions(info.context.principal, self, organization)]

    @strawberry.field(description="The terms the due date was computed from; null when none.",
                      metadata={"columns": ("payment_terms",)})
    def payment_terms(self) -> PaymentTerms | None:
        return preset(self.payment_terms)

    @strawberry.field(description="The payment terms the due date was computed from, as data; null when none.",
                      metadata={"columns": ("payment_terms",)})
    def payment_terms_rule(self, info: Info) -> PaymentTermsRule | None:
        return terms_rule(self.payment_terms, info)

    @strawberry.field(description="The customer (the vendor of a purchase order); null if not visible to you.")
    def contact(self, info: Info) -> BooksContact | None:
        return ready(info.context.loaders.books_contact, self.contact_id)

    @strawberry.field(description="The user responsible; null when none.")
    def salesperson(self, info: Info) -> User | None:
        if self.salesperson_id is None:
            return None
        return ready(info.context.loaders.user, self.salesperson_id)

    @strawberry.field(description="Subtotal and tax per tax category: 10%, 8%, then the categories without tax.",
                      metadata={"columns": ("tax_breakdown",)})
    def tax_rows(self) -> list[TaxRow]:
        return [tax_row(RateTotal.from_json(r)) for r in self.tax_breakdown]

    @strawberry.field(description="The lines, in order.")
    def lines(self, info: Info) -> list[TransactionLine]:
        return ready(info.context.loaders.lines_by_transaction, self.id)

    @strawberry.field(description="Notes and history, oldest first.")
    def comments(self, info: Info) -> list[Comment]:
        return ready(info.context.loaders.comments_by_transaction, self.id)

    @strawberry.field(description="Attached files, newest first.")
    def documents(self, info: Info) -> list[Document]:
        return ready(info.context.loaders.documents_by_transaction, self.id)

    @strawberry.field(description="Where the PDF is downloaded (with your session).",
                      metadata={"columns": ("kind", "id")})
    def pdf_url(self) -> str:
        return f"/books/{PDF_PATHS[self.kind]}/{self.id}.pdf"

    @strawberry.field(description="The document this one was converted from; null when none or not visible.")
    def source(self, info: Info) -> Transaction | None:
        if self.source_id is None:
            return None
        return ready(info.context.loaders.transaction, self.source_id)

    @strawberry.field(description="The documents converted from this one that you may see.")
    def conversions(self, info: Info) -> list[Transaction]:
        return ready(info.context.loaders.conversions_by_source, self.id)


@strawberry.type(description="A quote to a customer; it expires, is accepted or declined, or converted.")
class Estimate(Transaction):
    id: strawberry.ID = global_id_field("Estimate")
    is_type_of = kind_type_check(Kind.ESTIMATE)

    @strawberry.field(description="The date the estimate expires (the same as `dueDate`).")
    def expiry_date(self) -> date | None:
        return self.due_date


@strawberry.type(description="A customer's confirmed order (Books edition only), invoiced when delivered.")
class SalesOrder(Transaction):
    id: strawberry.ID = global_id_field("SalesOrder")
    is_type_of = kind_type_check(Kind.SALES_ORDER)

    @strawberry.field(description="The invoice that last billed lines of this order (each line says whether it "
                      "is billed: `lines { isBilled }`); null when none or not visible.",
                      metadata={"columns": ("billed_by_id",)})
    def billed_by(self, info: Info) -> Invoice | None:
        if self.billed_by_id is None:
            return None
        return ready(info.context.loaders.transaction, self.billed_by_id)


@strawberry.type(description="A bill to a customer, paid in one or more payments.")
class Invoice(Transaction):
    id: strawberry.ID = global_id_field("Invoice")
    amount_paid: Decimal = decimal_field("amount_paid", "The sum of the payments that are not void.")
    credit_applied: Decimal = decimal_field("credit_applied", "Credit applied from credit notes (void "
                                            "applications excluded).")
    balance: Decimal = decimal_field("balance", "What is still due: the total less payments and credit applied.")
    is_type_of = kind_type_check(Kind.INVOICE)

    @strawberry.field(description="The first day of the invoice's transaction period (a consolidated invoice "
                      "(合算請求書): of the closing period it bills); null without a period. The same as "
                      "`transactionDate` then.", metadata={"columns": ("transaction_date", "transaction_date_end")})
    def period_start(self) -> date | None:
        return self.transaction_date if self.transaction_date_end is not None else None

    @strawberry.field(description="The last day of the invoice's transaction period (a consolidated invoice: "
                      "its closing date); null without a period. The same as `transactionDateEnd`.",
                      metadata={"columns": ("transaction_date_end",)})
    def period_end(self) -> date | None:
        return self.transaction_date_end

    @strawberry.field(description="Payments, void ones included, by date.")
    def payments(self, info: Info) -> list[Payment]:
        return ready(info.context.loaders.payments_by_invoice, self.id)

    @strawberry.field(description="Credit applied from credit notes, void applications included, by date.")
    async def credit_applications(
        self, info: Info
    ) -> list[Annotated[CreditApplication, strawberry.lazy("schema.types.credit_notes")]]:
        return await info.context.loaders.applications_by_invoice.load(self.id)

    @strawberry.field(description="Bank transfers the customer reported in the customer portal, confirmed "
                      "ones included, oldest first.")
    def transfer_reports(self, info: Info) -> list[TransferReport]:
        return ready(info.context.loaders.transfer_reports_by_invoice, self.id)


@strawberry.type(description="An order to a vendor.")
class PurchaseOrder(Transaction):
    id: strawberry.ID = global_id_field("PurchaseOrder")
    is_type_of = kind_type_check(Kind.PURCHASE_ORDER)


TRANSACTION_TYPES = (Estimate, SalesOrder, Invoice, PurchaseOrder)


@strawberry.type(description="Someone the document can be sent to.")
class EmailRecipient:
    name: str
    email: str


@strawberry.type(description="An e-mail filled in from a template, to review before sending.")
class EmailComposition:
    templates: list[EmailTemplate] = strawberry.field(description="The templates to choose from.")
    template: EmailTemplate = strawberry.field(description="The template used.")
    recipients: list[EmailRecipient] = strawberry.field(
        description="The customer's contact persons (and its own address): `to` must be among them."
    )
    to: list[str] = strawberry.field(description="Preselected: the primary contact person.")
    subject: str
    body: str
    attachment_name: str = strawberry.field(description="The file name of the attached PDF.")
    is_type_of = model_type_check(Composition)
