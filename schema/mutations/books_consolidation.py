"""Consolidated invoices (合算請求書): one invoice for a customer's confirmed sales orders of a
closing period (app.services.consolidation)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry
from strawberry import UNSET

from app.errors import NotFound as NotFoundError
from app.services import consolidation
from schema.context import Info
from schema.errors import NotFound, PermissionDenied, ValidationError, attempt
from schema.mutations.books_transactions import InvoicePayload
from schema.mutations.common import result
from schema.queries.common import AUTH
from schema.types.node import pk_of


@strawberry.input(description="A consolidated invoice: the customer and the closing period it bills.")
class ConsolidatedInvoiceInput:
    contact_id: strawberry.ID = strawberry.field(description="Global id of the customer (a BooksContact).")
    period_end: date = strawberry.field(
        description="The closing date of the period, by the customer's payment terms (the organization's "
        "when it has none): 2026-11-20 bills 2026-10-21 to 2026-11-20 for 20日締め.")
    issue_date: date | None = strawberry.field(
        default=UNSET, description="The invoice's date; default: the closing date (today at the latest).")
    exchange_rate: Decimal | None = strawberry.field(
        default=UNSET, description="A customer in another currency than the yen: yen per 1 unit (required).")
    exchange_rate_date: date | None = strawberry.field(
        default=UNSET, description="The day of the exchange rate (required with it).")


CreateConsolidatedInvoiceResult = result(
    "CreateConsolidatedInvoice", InvoicePayload, ValidationError, NotFound, PermissionDenied)


@strawberry.type
class BooksConsolidationMutation:
    @strawberry.mutation(permission_classes=AUTH, description=(
        "Invoice a customer's confirmed sales orders of a closing period at once, each order listed on the "
        "invoice and marked invoiced. A period with nothing left to bill is a ValidationError."))
    async def create_consolidated_invoice(
        self, info: Info, input: ConsolidatedInvoiceInput
    ) -> CreateConsolidatedInvoiceResult:
        async def run() -> InvoicePayload:
            pk = pk_of(input.contact_id, "BooksContact")
            if pk is None:
                raise NotFoundError()
            data = {"contact_id": pk, "period_end": input.period_end}
            if input.issue_date:
                data["issue_date"] = input.issue_date
            for name in ("exchange_rate", "exchange_rate_date"):
                if getattr(input, name) not in (UNSET, None):
                    data[name] = getattr(input, name)
            return InvoicePayload(invoice=await consolidation.create(info.context.principal, data))

        return await attempt(info, run)
