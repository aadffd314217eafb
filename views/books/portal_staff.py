"""Staff actions about the customer portal on a document's page (app.services.portal): accept an
estimate on the customer's behalf, revert an acceptance, confirm a transfer the customer
reported (or set it aside), and revoke the document's customer link."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.errors import Conflict, ValidationError
from app.models import Kind, Transaction
from app.services import portal, portal_sessions
from views.books import feedback
from views.books.kinds import KIND_PAGES, PAGES_OF_KIND, KindPages, kind_route
from views.books.transactions_detail import refused
from views.htmx import redirect_after_post
from views.pages import page
from views.records import error_map


async def accept_on_behalf(request: Request, kp: KindPages) -> Response:
    record_id = request.path_params["id"]
    form = await request.form()
    try:
        txn = await portal.accept_on_behalf(request.state.principal, record_id, {"name": form.get("name")})
    except ValidationError as exc:
        message = "; ".join(m for ms in error_map(exc, request).values() for m in ms)
        return await refused(request, kp, record_id, Conflict(message))
    except Conflict as exc:
        return await refused(request, kp, record_id, exc)
    feedback.done(request, feedback.ACCEPTED_ON_BEHALF, txn)
    return redirect_after_post(request, kp.url(txn))


async def revert_acceptance(request: Request, kp: KindPages) -> Response:
    record_id = request.path_params["id"]
    try:
        txn = await portal.revert_acceptance(request.state.principal, record_id)
    except Conflict as exc:
        return await refused(request, kp, record_id, exc)
    feedback.done(request, feedback.ACCEPTANCE_REVERTED, txn)
    return redirect_after_post(request, kp.url(txn))


async def confirm_transfer(request: Request, kp: KindPages) -> Response:
    record_id = request.path_params["id"]
    try:
        payment = await portal.confirm_transfer(request.state.principal, request.path_params["report"])
    except (Conflict, ValidationError) as exc:
        if isinstance(exc, ValidationError):
            exc = Conflict("; ".join(m for ms in error_map(exc, request).values() for m in ms))
        return await refused(request, kp, record_id, exc)
    feedback.done(request, feedback.TRANSFER_CONFIRMED, await Transaction.get(id=payment.invoice_id))
    return redirect_after_post(request, kp.url(payment.invoice_id) + "#payments")


async def revoke_customer_access(request: Request) -> Response:
    """Every sign-in link and portal session of a customer ends (their next visit asks for a new link)."""
    contact_id = request.path_params["id"]
    await portal_sessions.revoke_access(request.state.principal, contact_id)
    return redirect_after_post(request, f"/books/contacts/{contact_id}?portal=revoked")


async def dismiss_transfer(request: Request, kp: KindPages) -> Response:
    record_id = request.path_params["id"]
    try:
        report = await portal.dismiss_transfer(request.state.principal, request.path_params["report"])
    except Conflict as exc:
        return await refused(request, kp, record_id, exc)
    feedback.done(request, feedback.TRANSFER_DISMISSED, await Transaction.get(id=report.invoice_id))
    return redirect_after_post(request, kp.url(report.invoice_id))


async def revoke_link(request: Request, kp: KindPages) -> Response:
    txn = await portal.revoke_document_link(request.state.principal, kp.kind, request.path_params["id"])
    feedback.done(request, feedback.LINK_REVOKED, txn)
    return redirect_after_post(request, PAGES_OF_KIND[txn.kind].url(txn))


ESTIMATES = next(kp for kp in KIND_PAGES if kp.kind == Kind.ESTIMATE)
INVOICES = next(kp for kp in KIND_PAGES if kp.kind == Kind.INVOICE)

routes: list[Route] = [
    kind_route(ESTIMATES, "/{id:id}/accept-on-behalf", accept_on_behalf, ("POST",)),
    kind_route(ESTIMATES, "/{id:id}/revert-acceptance", revert_acceptance, ("POST",)),
    kind_route(INVOICES, "/{id:id}/transfer-reports/{report:id}/confirm", confirm_transfer, ("POST",)),
    kind_route(INVOICES, "/{id:id}/transfer-reports/{report:id}/dismiss", dismiss_transfer, ("POST",)),
    *(kind_route(kp, "/{id:id}/portal-link/revoke", revoke_link, ("POST",))
      for kp in (ESTIMATES, INVOICES)),
    Route("/books/contacts/{id:id}/portal/revoke", page(revoke_customer_access, "books_contacts"), methods=["POST"]),
]
