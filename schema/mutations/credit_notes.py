"""Credit notes: create and edit (with the invoices they refer to and their reason), mark sent,
send and void as the other kinds do, apply their credit to invoices, refund it, and void either."""

# No `from __future__ import annotations`: the resolvers built per kind carry their result union
# in their annotations (as in schema.mutations.books_transactions).

import datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry import UNSET

from app.models import Kind
from app.services import credit_applications as credits
from app.services import transactions as txns
from schema.context import Info
from schema.errors import Conflict, NotFound, PermissionDenied, ValidationError, attempt
from schema.mutations.books import BOOKS_ID_TYPES
from schema.mutations.books_transactions import (
    PAYLOADS, PaymentInput, TransactionInput, _mark_sent, _send, _void,
)
from schema.mutations.common import existing_pk, result, to_data
from schema.queries.books import TRANSACTIONS
from schema.queries.common import AUTH
from schema.types.books_transactions import Invoice
from schema.types.credit_notes import CreditApplication, CreditNote, CreditReason, Refund
from schema.types.node import pk_of

CN, INV = Kind.CREDIT_NOTE, Kind.INVOICE


@strawberry.input(description="Fields of a credit note: a document's fields, the invoices it refers to and "
                  "its reason; on update, omitted fields keep their value.")
class CreditNoteInput(TransactionInput):
    invoice_ids: list[strawberry.ID] | None = strawberry.field(
        default=UNSET, description="Global ids of sent invoices of one customer (the original sales); "
        "required on create. The customer defaults to theirs.")
    reason: CreditReason | None = strawberry.field(default=UNSET, description="Default RETURN.")


@strawberry.input(description="Credit applied to one invoice.")
class CreditApplicationInput:
    invoice_id: strawberry.ID
    amount: Decimal = strawberry.field(description="Above zero, at most the invoice's balance.")


@strawberry.input(description="Credit of a credit note applied to open invoices of its customer: all or none.")
class ApplyCreditInput:
    applications: list[CreditApplicationInput] = strawberry.field(
        description="One per invoice; their sum at most the credit note's remaining credit.")
    date: datetime.date | None = strawberry.field(default=UNSET, description="Default: today.")


@strawberry.type
class CreditNotePayload:
    credit_note: CreditNote


@strawberry.type(description="Credit applied, and the credit note with its remaining credit.")
class ApplyCreditPayload:
    applications: list[CreditApplication]
    credit_note: CreditNote


@strawberry.type(description="A voided application, with both documents' balances given back.")
class CreditApplicationPayload:
    application: CreditApplication
    credit_note: CreditNote
    invoice: Invoice


@strawberry.type(description="A refund, and its credit note with the remaining credit.")
class RefundPayload:
    refund: Refund
    credit_note: CreditNote


PAYLOADS[CN] = (CreditNotePayload, "credit_note")


def _data(input: CreditNoteInput) -> dict[str, Any]:
    data = to_data(input, BOOKS_ID_TYPES)
    if "invoice_ids" in data:
        data["invoice_ids"] = [pk_of(value, "Invoice") for value in data["invoice_ids"] or []]
    if data.get("reason") is not None:
        data["reason"] = data["reason"].value
    return data


CreateCreditNoteResult = result("CreateCreditNote", CreditNotePayload, ValidationError, NotFound, PermissionDenied)
UpdateCreditNoteResult = result("UpdateCreditNote", CreditNotePayload, ValidationError, NotFound, PermissionDenied,
                                Conflict)
ApplyCreditResult = result("ApplyCredit", ApplyCreditPayload, ValidationError, NotFound, PermissionDenied, Conflict)
VoidCreditApplicationResult = result("VoidCreditApplication", CreditApplicationPayload, NotFound, PermissionDenied,
                                     Conflict)
RecordRefundResult = result("RecordRefund", RefundPayload, ValidationError, NotFound, PermissionDenied, Conflict)
VoidRefundResult = result("VoidRefund", RefundPayload, NotFound, PermissionDenied, Conflict)


@strawberry.type
class CreditNoteMutation:
    @strawberry.mutation(permission_classes=AUTH, description="A new draft credit note with the next number "
                         "(CN-00001), against invoices of one customer.")
    async def create_credit_note(self, info: Info, input: CreditNoteInput) -> CreateCreditNoteResult:
        principal = info.context.principal
        return await attempt(info, lambda: TRANSACTIONS[CN].create(principal, _data(input)),
                             lambda note: CreditNotePayload(credit_note=note))

    @strawberry.mutation(permission_classes=AUTH, description="Edit a draft credit note; Conflict once sent.")
    async def update_credit_note(self, info: Info, id: strawberry.ID, input: CreditNoteInput) -> UpdateCreditNoteResult:
        principal = info.context.principal
        return await attempt(
            info, lambda: TRANSACTIONS[CN].update(principal, existing_pk(id, "CreditNote"), _data(input)),
            lambda note: CreditNotePayload(credit_note=note))

    mark_credit_note_sent = _mark_sent(CN)
    void_credit_note = _void(CN)
    send_credit_note = _send(CN)

    @strawberry.mutation(permission_classes=AUTH, description="Apply credit of an open credit note to open "
                         "invoices of its customer.")
    async def apply_credit(self, info: Info, credit_note_id: strawberry.ID, input: ApplyCreditInput) -> ApplyCreditResult:
        principal = info.context.principal

        async def apply() -> ApplyCreditPayload:
            pk = existing_pk(credit_note_id, "CreditNote")
            rows = [{"invoice_id": pk_of(a.invoice_id, "Invoice"), "amount": a.amount} for a in input.applications]
            created = await credits.apply_credit(principal, pk, rows, None if input.date is UNSET else input.date)
            return ApplyCreditPayload(applications=created, credit_note=await txns.get(principal, CN, pk))

        return await attempt(info, apply)

    @strawberry.mutation(permission_classes=AUTH, description="Void a credit application: its amount is due on "
                         "the invoice and available on the credit note again.")
    async def void_credit_application(self, info: Info, id: strawberry.ID) -> VoidCreditApplicationResult:
        principal = info.context.principal

        async def void() -> CreditApplicationPayload:
            application = await credits.void_application(principal, existing_pk(id, "CreditApplication"))
            return CreditApplicationPayload(
                application=application, credit_note=await txns.get(principal, CN, application.credit_note_id),
                invoice=await txns.get(principal, INV, application.invoice_id))

        return await attempt(info, void)

    @strawberry.mutation(permission_classes=AUTH, description="Record a refund of remaining credit.")
    async def record_refund(self, info: Info, credit_note_id: strawberry.ID, input: PaymentInput) -> RecordRefundResult:
        principal = info.context.principal

        async def record() -> RefundPayload:
            pk = existing_pk(credit_note_id, "CreditNote")
            refund = await credits.record_refund(principal, pk, to_data(input))
            return RefundPayload(refund=refund, credit_note=await txns.get(principal, CN, pk))

        return await attempt(info, record)

    @strawberry.mutation(permission_classes=AUTH, description="Void a refund: its amount is credit again.")
    async def void_refund(self, info: Info, id: strawberry.ID) -> VoidRefundResult:
        principal = info.context.principal

        async def void() -> RefundPayload:
            refund = await credits.void_refund(principal, existing_pk(id, "Refund"))
            return RefundPayload(refund=refund, credit_note=await txns.get(principal, CN, refund.credit_note_id))

        return await attempt(info, void)
