"""Credit notes (適格返還請求書): the `CreditNote` kind of the `Transaction` interface, the
credit applied from it to invoices and its refunds (app.services.credit_notes,
app.services.credit_applications)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

import strawberry

from app.models import CreditApplication as CreditApplicationModel
from app.models import Kind
from app.models import Refund as RefundModel
from schema.context import Info
from schema.types.books import decimal_field
from schema.types.books_transactions import Invoice, PaymentMode, Transaction, kind_type_check
from schema.types.node import Node, global_id_field, model_type_check


@strawberry.enum(description="Why a credit note returns an amount: a RETURN of goods (返品), a DISCOUNT "
                 "(値引) or a REBATE (割戻).")
class CreditReason(Enum):
    RETURN = "return"
    DISCOUNT = "discount"
    REBATE = "rebate"


@strawberry.type(description="Credit of a credit note applied to an invoice of the same customer. A void "
                 "one no longer counts: its amount is back on both balances.")
class CreditApplication(Node):
    id: strawberry.ID = global_id_field("CreditApplication")
    amount: Decimal = decimal_field("amount", "In the documents' currency.")
    date: date
    voided_at: datetime | None
    created_at: datetime
    is_type_of = model_type_check(CreditApplicationModel)

    @strawberry.field(description="The credit note the credit came from; null when not visible to you.")
    async def credit_note(self, info: Info) -> CreditNote | None:
        return await info.context.loaders.transaction.load(self.credit_note_id)

    @strawberry.field(description="The invoice the credit settled; null when not visible to you.")
    async def invoice(self, info: Info) -> Invoice | None:
        return await info.context.loaders.transaction.load(self.invoice_id)


@strawberry.type(description="Remaining credit of a credit note paid back to the customer. A void one no "
                 "longer counts.")
class Refund(Node):
    id: strawberry.ID = global_id_field("Refund")
    amount: Decimal = decimal_field("amount", "In the credit note's currency.")
    date: date
    mode: PaymentMode
    reference: str
    notes: str
    voided_at: datetime | None
    created_at: datetime
    is_type_of = model_type_check(RefundModel)


@strawberry.type(description="A credit note (適格返還請求書): an amount returned on invoices of one customer, "
                 "per tax rate. Once sent it is open; its credit is applied to invoices or refunded until "
                 "none remains (CLOSED).")
class CreditNote(Transaction):
    id: strawberry.ID = global_id_field("CreditNote")
    credit_applied: Decimal = decimal_field("credit_applied", "Credit applied to invoices (void applications "
                                            "excluded).")
    amount_refunded: Decimal = decimal_field("amount_paid", "Credit refunded (void refunds excluded).")
    balance: Decimal = decimal_field("balance", "The credit that remains to apply or refund.")
    is_type_of = kind_type_check(Kind.CREDIT_NOTE)

    @strawberry.field(description="Why the amount goes back.", metadata={"columns": ("credit_reason",)})
    def reason(self) -> CreditReason:
        return CreditReason(self.credit_reason or "return")

    @strawberry.field(description="The invoices (original sales) it refers to that you may see.")
    async def invoices(self, info: Info) -> list[Invoice]:
        refs = await info.context.loaders.credited_invoices_by_credit_note.load(self.id)
        found = await info.context.loaders.transaction.load_many([r.invoice_id for r in refs])
        return [i for i in found if i is not None]

    @strawberry.field(description="Credit applied to invoices, void ones included, by date.")
    async def applications(self, info: Info) -> list[CreditApplication]:
        return await info.context.loaders.applications_by_credit_note.load(self.id)

    @strawberry.field(description="Refunds, void ones included, by date.")
    async def refunds(self, info: Info) -> list[Refund]:
        return await info.context.loaders.refunds_by_credit_note.load(self.id)
