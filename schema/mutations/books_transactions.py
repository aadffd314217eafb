"""Estimates, sales orders, invoices and purchase orders: create and edit, status steps,
conversions, payments, notes, attached documents and sending by e-mail.

The four kinds share their mutations' shapes, so most resolvers are built per kind by the
functions below; each still gets its own `<Verb><Noun>Result` union.
"""

# No `from __future__ import annotations`: the resolvers built per kind carry their result union
# in their annotations, which strawberry must see as types, not as names to look up.

import datetime
from collections.abc import Awaitable, Callable
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from strawberry import UNSET

from app.models import BooksContact as BooksContactModel
from app.models import Kind
from app.models import Transaction as TransactionModel
from app.permissions import Principal
from app.services import documents, history, payments, portal, portal_sessions, sending, workflow
from app.services import transactions as txns
from schema.context import Info
from schema.errors import Conflict, DeliveryFailed, NotFound, PermissionDenied, ValidationError, attempt
from schema.mutations.books import BOOKS_ID_TYPES, BooksContactPayload
from schema.mutations.common import DeletePayload, create, delete, existing_pk, result, to_data, update
from schema.queries.books import TRANSACTIONS
from schema.queries.common import AUTH
from schema.types.books import PaymentTerms
from schema.types.books_transactions import (
    TYPE_NAMES,
    Comment,
    DiscountType,
    Estimate,
    Invoice,
    Payment,
    PaymentMode,
    PurchaseOrder,
    SalesOrder,
    TaxCategory,
    Transaction,
    TransferReport,
    existing_transaction,
)

E, SO, INV, PO = Kind.ESTIMATE, Kind.SALES_ORDER, Kind.INVOICE, Kind.PURCHASE_ORDER


@strawberry.input(description="A line: an item, or a description and a rate; what an item line "
                  "leaves out comes from the item.")
class TransactionLineInput:
    item_id: strawberry.ID | None = UNSET
    description: str | None = UNSET
    quantity: Decimal | None = strawberry.field(default=UNSET, description="Default 1.")
    unit: str | None = UNSET
    rate: Decimal | None = strawberry.field(default=UNSET, description="Unit price, up to 4 decimals.")
    discount: Decimal | None = strawberry.field(default=UNSET, description="Percent, default 0.")
    tax_rate: Decimal | None = strawberry.field(default=UNSET, description="Percent: 10 (default), 8 or 0 "
                                                "(0 is EXEMPT); `taxCategory` wins when both are given.")
    tax_category: TaxCategory | None = strawberry.field(
        default=UNSET, description="Default: from `taxRate`, else the item's rate, else STANDARD.")
    delivery_date: datetime.date | None = strawberry.field(
        default=UNSET, description="納品日 of a sales order's line delivered apart; default: the order's "
        "`dueDate`, else its `issueDate`. Closing-date billing bills a line in the period it is delivered in.")


@strawberry.input(description="Fields of a document; on update, omitted fields keep their value. The "
                  "currency is the contact's.")
class TransactionInput:
    organization_id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="Global id of an organization you belong to; default: your current one."
    )
    contact_id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="Global id of a Books contact: a customer, or a vendor for purchase orders."
    )
    issue_date: datetime.date | None = strawberry.field(default=UNSET, description="Default: today.")
    due_date: datetime.date | None = strawberry.field(
        default=UNSET, description="Estimates: default 30 days after issue. Invoices: default from the "
        "payment terms."
    )
    payment_terms: PaymentTerms | None = strawberry.field(
        default=UNSET, description="Invoices: default the customer's."
    )
    reference: str | None = UNSET
    subject: str | None = UNSET
    salesperson_id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="Global id of a user who belongs to the organization."
    )
    notes: str | None = UNSET
    terms: str | None = UNSET
    transaction_date: datetime.date | None = strawberry.field(
        default=UNSET, description="The transaction date (取引年月日) or the first day of the period.")
    transaction_date_end: datetime.date | None = strawberry.field(
        default=UNSET, description="The last day of the period (needs `transactionDate`, not before it).")
    prices_include_tax: bool | None = strawberry.field(default=UNSET, description="Default false (外税).")
    discount_type: DiscountType | None = strawberry.field(default=UNSET, description="Default AMOUNT.")
    discount_value: Decimal | None = strawberry.field(
        default=UNSET, description="Zero or more; a percent up to 100; an amount up to the lines' sum.")
    exchange_rate: Decimal | None = strawberry.field(
        default=UNSET, description="Yen per 1 unit of the currency, above zero, up to 6 decimals: required when "
        "the currency is not JPY (with `exchangeRateDate`), ignored on yen documents.")
    exchange_rate_date: datetime.date | None = strawberry.field(
        default=UNSET, description="The day of the exchange rate: required with it.")
    lines: list[TransactionLineInput] | None = strawberry.field(
        default=UNSET, description="At least one; replaces every line when given."
    )


@strawberry.input(description="A payment received against an invoice.")
class PaymentInput:
    amount: Decimal = strawberry.field(description="Above zero, at most the balance.")
    date: datetime.date | None = strawberry.field(default=UNSET, description="Default: today.")
    mode: PaymentMode | None = strawberry.field(default=UNSET, description="Default: BANK_TRANSFER.")
    reference: str | None = UNSET
    notes: str | None = UNSET


@strawberry.input(description="The e-mail that sends a document, as reviewed after `composeEmail`.")
class SendInput:
    to: list[str] = strawberry.field(description="Addresses of the contact's persons (see `recipients`).")
    cc: list[str] = strawberry.field(default_factory=list, description="Any addresses.")
    subject: str
    body: str


@strawberry.enum(description="What an estimate can be converted into.")
class EstimateConversionTarget(Enum):
    SALES_ORDER = Kind.SALES_ORDER.value
    INVOICE = Kind.INVOICE.value


@strawberry.type
class EstimatePayload:
    estimate: Estimate


@strawberry.type
class SalesOrderPayload:
    sales_order: SalesOrder


@strawberry.type
class InvoicePayload:
    invoice: Invoice


@strawberry.type
class PurchaseOrderPayload:
    purchase_order: PurchaseOrder


@strawberry.type(description="A conversion: the converted document and the one created from it.")
class ConversionPayload:
    source: Transaction
    created: Transaction


@strawberry.type(description="A payment, and its invoice with the new balance.")
class PaymentPayload:
    payment: Payment
    invoice: Invoice


@strawberry.type
class CommentPayload:
    comment: Comment


# Each kind's payload type, and the name of its one field.
PAYLOADS = {
    E: (EstimatePayload, "estimate"),
    SO: (SalesOrderPayload, "sales_order"),
    INV: (InvoicePayload, "invoice"),
    PO: (PurchaseOrderPayload, "purchase_order"),
}


def payload_of(kind: Kind) -> Callable[[TransactionModel], Any]:
    payload_type, field = PAYLOADS[kind]
    return lambda txn: payload_type(**{field: txn})


def _create(kind: Kind) -> Any:
    Result = result(f"Create{TYPE_NAMES[kind]}", PAYLOADS[kind][0], ValidationError, NotFound, PermissionDenied)

    async def resolve(info: Info, input: TransactionInput) -> Result:
        return await create(info, TRANSACTIONS[kind], input, payload_of(kind), BOOKS_ID_TYPES)

    return strawberry.mutation(resolver=resolve, permission_classes=AUTH,
                               description="A new draft with the next number.")


def _update(kind: Kind) -> Any:
    Result = result(f"Update{TYPE_NAMES[kind]}", PAYLOADS[kind][0], ValidationError, NotFound,
                    PermissionDenied, Conflict)

    async def resolve(info: Info, id: strawberry.ID, input: TransactionInput) -> Result:
        return await update(
            info, TRANSACTIONS[kind], TYPE_NAMES[kind], id, input, payload_of(kind), BOOKS_ID_TYPES
        )

    return strawberry.mutation(resolver=resolve, permission_classes=AUTH,
                               description="Edit a document; Conflict once its status no longer allows it.")


def _step(kind: Kind, name: str, step: Callable[[Principal, int], Awaitable[TransactionModel]],
          description: str) -> Any:
    """A status change: Conflict, with the reason, when the document's status refuses it."""
    Result = result(name, PAYLOADS[kind][0], NotFound, PermissionDenied, Conflict)

    async def resolve(info: Info, id: strawberry.ID) -> Result:
        principal = info.context.principal
        return await attempt(info, lambda: step(principal, existing_pk(id, TYPE_NAMES[kind])), payload_of(kind))

    return strawberry.mutation(resolver=resolve, permission_classes=AUTH, description=description)


def _mark_sent(kind: Kind) -> Any:
    return _step(kind, f"Mark{TYPE_NAMES[kind]}Sent", lambda p, pk: workflow.mark_sent(p, kind, pk),
                 "Mark a draft as sent without e-mailing it (sent on paper, say).")


def _void(kind: Kind) -> Any:
    return _step(kind, f"Void{TYPE_NAMES[kind]}", lambda p, pk: workflow.void(p, kind, pk),
                 "Void the document; its number stays used.")


def _send(kind: Kind) -> Any:
    Result = result(f"Send{TYPE_NAMES[kind]}", PAYLOADS[kind][0], ValidationError, DeliveryFailed, NotFound,
                    PermissionDenied, Conflict)

    async def resolve(info: Info, id: strawberry.ID, input: SendInput) -> Result:
        principal = info.context.principal
        return await attempt(
            info,
            lambda: sending.send(principal, kind, existing_pk(id, TYPE_NAMES[kind]), to=input.to, cc=input.cc,
                                 subject=input.subject, body=input.body),
            payload_of(kind),
        )

    return strawberry.mutation(
        resolver=resolve, permission_classes=AUTH,
        description="E-mail the document with its PDF through the organization's SMTP server; a draft "
        "becomes sent (a sales order confirmed). DeliveryFailed when the server refuses: nothing is recorded.",
    )


async def _convert(info: Info, kind: Kind, global_id: str, target: Kind) -> Any:
    principal = info.context.principal

    async def convert() -> ConversionPayload:
        pk = existing_pk(global_id, TYPE_NAMES[kind])
        created = await workflow.convert(principal, kind, pk, target)
        return ConversionPayload(source=await txns.get(principal, kind, pk), created=created)

    return await attempt(info, convert)


ConvertEstimateResult = result(
    "ConvertEstimate", ConversionPayload, ValidationError, NotFound, PermissionDenied, Conflict
)
ConvertSalesOrderToInvoiceResult = result(
    "ConvertSalesOrderToInvoice", ConversionPayload, ValidationError, NotFound, PermissionDenied, Conflict
)
RecordPaymentResult = result(
    "RecordPayment", PaymentPayload, ValidationError, NotFound, PermissionDenied, Conflict
)
VoidPaymentResult = result("VoidPayment", PaymentPayload, NotFound, PermissionDenied, Conflict)
AddCommentResult = result("AddComment", CommentPayload, ValidationError, NotFound, PermissionDenied)
DeleteDocumentResult = result("DeleteDocument", DeletePayload, NotFound, PermissionDenied)
AcceptEstimateOnBehalfResult = result(
    "AcceptEstimateOnBehalf", EstimatePayload, ValidationError, NotFound, PermissionDenied, Conflict)
ConfirmTransferReportResult = result(
    "ConfirmTransferReport", PaymentPayload, ValidationError, NotFound, PermissionDenied, Conflict)


@strawberry.type(description="A transfer report, and its invoice.")
class TransferReportPayload:
    transfer_report: TransferReport
    invoice: Invoice


RevokePortalAccessResult = result("RevokePortalAccess", BooksContactPayload, NotFound, PermissionDenied)
DismissTransferReportResult = result("DismissTransferReport", TransferReportPayload, NotFound, PermissionDenied,
                                     Conflict)


@strawberry.type
class BooksTransactionMutation:
    create_estimate = _create(E)
    update_estimate = _update(E)
    mark_estimate_sent = _mark_sent(E)
    accept_estimate = _step(E, "AcceptEstimate", workflow.accept, "The customer accepted the estimate.")
    decline_estimate = _step(E, "DeclineEstimate", workflow.decline, "The customer declined the estimate.")
    revert_estimate_acceptance = _step(
        E, "RevertEstimateAcceptance", portal.revert_acceptance,
        "Undo an acceptance (the customer changed their mind): the estimate is sent (or viewed) again; "
        "recorded in its history.")
    void_estimate = _void(E)
    send_estimate = _send(E)

    create_sales_order = _create(SO)
    update_sales_order = _update(SO)
    confirm_sales_order = _step(SO, "ConfirmSalesOrder", workflow.confirm, "Confirm a draft sales order.")
    void_sales_order = _void(SO)
    send_sales_order = _send(SO)

    create_invoice = _create(INV)
    update_invoice = _update(INV)
    mark_invoice_sent = _mark_sent(INV)
    void_invoice = _void(INV)
    send_invoice = _send(INV)

    create_purchase_order = _create(PO)
    update_purchase_order = _update(PO)
    mark_purchase_order_sent = _mark_sent(PO)
    close_purchase_order = _step(PO, "ClosePurchaseOrder", workflow.close, "The order was received and billed.")
    void_purchase_order = _void(PO)
    send_purchase_order = _send(PO)

    @strawberry.mutation(permission_classes=AUTH, description="Turn an estimate into a draft sales order or "
                         "invoice with the same lines; both link to each other (`source`, `conversions`).")
    async def convert_estimate(
        self, info: Info, id: strawberry.ID, to: EstimateConversionTarget
    ) -> ConvertEstimateResult:
        return await _convert(info, E, id, Kind(to.value))

    @strawberry.mutation(permission_classes=AUTH, description="Invoice a confirmed sales order.")
    async def convert_sales_order_to_invoice(
        self, info: Info, id: strawberry.ID
    ) -> ConvertSalesOrderToInvoiceResult:
        return await _convert(info, SO, id, INV)

    @strawberry.mutation(permission_classes=AUTH, description="Record a payment against a sent invoice.")
    async def record_payment(
        self, info: Info, invoice_id: strawberry.ID, input: PaymentInput
    ) -> RecordPaymentResult:
        principal = info.context.principal

        async def record() -> PaymentPayload:
            pk = existing_pk(invoice_id, "Invoice")
            payment = await payments.record_payment(principal, pk, to_data(input))
            return PaymentPayload(payment=payment, invoice=await txns.get(principal, INV, pk))

        return await attempt(info, record)

    @strawberry.mutation(permission_classes=AUTH, description="Void a payment: its amount is due again.")
    async def void_payment(self, info: Info, id: strawberry.ID) -> VoidPaymentResult:
        principal = info.context.principal

        async def void() -> PaymentPayload:
            payment = await payments.void_payment(principal, existing_pk(id, "Payment"))
            return PaymentPayload(payment=payment, invoice=await txns.get(principal, INV, payment.invoice_id))

        return await attempt(info, void)

    @strawberry.mutation(permission_classes=AUTH, description="Add a note to a document of any kind "
                         "(needs the right to edit it).")
    async def add_comment(self, info: Info, transaction_id: strawberry.ID, text: str,
                          visible_to_customer: bool = False) -> AddCommentResult:
        principal = info.context.principal

        async def add() -> CommentPayload:
            kind, pk = existing_transaction(transaction_id)
            txn = await txns.get(principal, kind, pk)
            return CommentPayload(comment=await history.add_note(principal, txn, text,
                                                                 visible_to_customer=visible_to_customer))

        return await attempt(info, add)

    @strawberry.mutation(permission_classes=AUTH, description="Record the customer's acceptance of an "
                         "estimate on their behalf (by telephone, on paper), naming who accepted; recorded "
                         "in its history.")
    async def accept_estimate_on_behalf(
        self, info: Info, id: strawberry.ID, accepted_by: str
    ) -> AcceptEstimateOnBehalfResult:
        principal = info.context.principal
        return await attempt(info, lambda: portal.accept_on_behalf(
            principal, existing_pk(id, "Estimate"), {"name": accepted_by}), payload_of(E))

    @strawberry.mutation(permission_classes=AUTH, description="Confirm a bank transfer the customer "
                         "reported in the customer portal: it becomes a payment of the invoice (once).")
    async def confirm_transfer_report(self, info: Info, id: strawberry.ID) -> ConfirmTransferReportResult:
        principal = info.context.principal

        async def confirm() -> PaymentPayload:
            payment = await portal.confirm_transfer(principal, existing_pk(id, "TransferReport"))
            return PaymentPayload(payment=payment, invoice=await txns.get(principal, INV, payment.invoice_id))

        return await attempt(info, confirm)

    @strawberry.mutation(permission_classes=AUTH, description="Set aside a bank transfer the customer "
                         "reported that never arrived (or was reported twice); recorded in the invoice's history.")
    async def dismiss_transfer_report(self, info: Info, id: strawberry.ID) -> DismissTransferReportResult:
        principal = info.context.principal

        async def dismiss() -> TransferReportPayload:
            report = await portal.dismiss_transfer(principal, existing_pk(id, "TransferReport"))
            return TransferReportPayload(transfer_report=report,
                                         invoice=await txns.get(principal, INV, report.invoice_id))

        return await attempt(info, dismiss)

    @strawberry.mutation(permission_classes=AUTH, description="End every customer portal session of the "
                         "customer and every sign-in link not used yet (documents' own links are revoked on "
                         "their pages).")
    async def revoke_portal_access(self, info: Info, books_contact_id: strawberry.ID) -> RevokePortalAccessResult:
        principal = info.context.principal

        async def revoke() -> BooksContactPayload:
            pk = existing_pk(books_contact_id, "BooksContact")
            await portal_sessions.revoke_access(principal, pk)
            return BooksContactPayload(books_contact=await BooksContactModel.get(id=pk))

        return await attempt(info, revoke)

    @strawberry.mutation(permission_classes=AUTH, description="Remove a file attached to a document.")
    async def delete_document(self, info: Info, id: strawberry.ID) -> DeleteDocumentResult:
        return await delete(info, documents, "Document", id)
