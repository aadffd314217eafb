"""Payments on an invoice's page: record one (inline validation: an overpayment is explained next
to the amount), void one (after a confirmation)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.models import Kind, Payment
from app.services import payments
from views.books import feedback, money_records
from views.books.kinds import PAGES_OF_KIND, KindPages, kind_route

FRAGMENT = "books/_payments.html"


async def record(request: Request, kp: KindPages) -> Response:
    return await money_records.record(request, kp, payments.record_payment, fragment=FRAGMENT, prefix="payment",
                                      problem="payment_problem", message=feedback.PAYMENT_RECORDED)


async def void(request: Request, kp: KindPages) -> Response:
    return await money_records.void(request, kp, Payment, "invoice_id", "payment_id", payments.void_payment,
                                    feedback.PAYMENT_VOIDED)


INVOICES = PAGES_OF_KIND[Kind.INVOICE]
routes = [
    kind_route(INVOICES, "/{id:id}/payments", record, ("POST",)),
    kind_route(INVOICES, "/{id:id}/payments/{payment_id:id}/void", void, ("POST",)),
]
