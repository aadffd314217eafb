"""Payments on an invoice's page: record one (inline validation: an overpayment is explained next
to the amount), void one (after a confirmation)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.errors import Conflict, NotFound, ValidationError
from app.models import Kind, Payment, Transaction
from app.money import format_money
from app.services import payments
from app.services import transactions as txns
from views.books import feedback
from views.books.kinds import PAGES_OF_KIND, KindPages, kind_route, refusal_status
from views.books.transactions_detail import PAYMENT_FIELDS, refused, section_or_page
from views.htmx import redirect_after_post
from views.records import error_map
from views.templating import translator

FRAGMENT = "books/_payments.html"


async def record(request: Request, kp: KindPages) -> Response:
    principal = request.state.principal
    invoice = await txns.get(principal, kp.kind, request.path_params["id"], "create_edit")
    form = await request.form()
    values = {name: str(form.get(name, "")) for name in (f.name for f in PAYMENT_FIELDS)}
    try:
        payment = await payments.record_payment(principal, invoice.id, values)
    except ValidationError as exc:
        return await section_or_page(request, kp, invoice, FRAGMENT, 422,
                                     payment_errors=error_map(exc, request), payment_values=values)
    except Conflict as exc:  # a draft, paid or void invoice
        return await section_or_page(request, kp, invoice, FRAGMENT, refusal_status(request, 409),
                                     payment_problem=exc.render(translator(request)), payment_values=values)
    feedback.done(request, feedback.PAYMENT_RECORDED, invoice, amount=format_money(payment.amount, invoice.currency))
    return redirect_after_post(request, kp.url(invoice))


async def void(request: Request, kp: KindPages) -> Response:
    invoice_id, payment_id = request.path_params["id"], request.path_params["payment_id"]
    if not await Payment.exists(id=payment_id, invoice_id=invoice_id):
        raise NotFound()
    try:
        payment = await payments.void_payment(request.state.principal, payment_id)
    except Conflict as exc:
        return await refused(request, kp, invoice_id, exc)
    invoice = await Transaction.get(id=payment.invoice_id)
    feedback.done(request, feedback.PAYMENT_VOIDED, invoice, amount=format_money(payment.amount, invoice.currency))
    return redirect_after_post(request, kp.url(invoice_id))


INVOICES = PAGES_OF_KIND[Kind.INVOICE]
routes = [
    kind_route(INVOICES, "/{id:id}/payments", record, ("POST",)),
    kind_route(INVOICES, "/{id:id}/payments/{payment_id:id}/void", void, ("POST",)),
]
