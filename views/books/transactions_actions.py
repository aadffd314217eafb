"""Status changes (one POST endpoint per button, a flash message once done) and the PDF download
of a transaction. A conversion is asked first: its button leads to a confirmation page (GET on
the same URL) saying what will happen, whose form makes the POST."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app import kinds
from app.errors import Conflict, InvalidTransition
from app.i18n import N_, Msgid
from app.models import Organization, Transaction
from app.services import archive, workflow
from app.services import transactions as txns
from views.books import feedback
from views.downloads import attachment_headers
from views.books.kinds import KIND_PAGES, PAGES_OF_KIND, KindHandler, KindPages, kind_route
from views.books.transactions_detail import refused
from views.books.transactions_workflow import ACTIONS, CONVERT_EXPLAINED, CONVERT_QUESTION, Action
from views.htmx import redirect_after_post
from views.templating import render, translator


def action_endpoint(action: Action) -> KindHandler:
    async def run(request: Request, kp: KindPages) -> Response:
        record_id = request.path_params["id"]
        try:
            result = await action.run(request.state.principal, kp.kind, record_id)
        except Conflict as exc:  # InvalidTransition: the status machine said no, and why
            return await refused(request, kp, record_id, exc)
        if action.target is not None:
            source = await Transaction.get(id=result.source_id)
            feedback.done(request, action.done, result, source=source.number,
                          kind=translator(request)(kinds.of(result.kind).label))
        else:
            feedback.done(request, action.done, result, sent=action.step == "mark_sent")
        return redirect_after_post(request, PAGES_OF_KIND[result.kind].url(result))

    run.__name__ = action.slug.replace("-", "_")
    return run


def confirm_endpoint(action: Action) -> KindHandler:
    """The question before a conversion, with what it does; the service is asked whether it may
    happen now, so a refusal shows on the document's page instead of a question."""

    async def ask(request: Request, kp: KindPages) -> Response:
        principal = request.state.principal
        txn = await txns.get(principal, kp.kind, request.path_params["id"], "create_edit")
        org = await Organization.get(id=txn.organization_id)
        try:
            if action.name not in workflow.available_actions(principal, txn, org):
                raise InvalidTransition(N_("This %(kind)s cannot be converted now."), kind=Msgid(kp.doc.label))
            workflow.check(txn, action.step, txns.today_in(principal))  # an expired estimate says so now
        except InvalidTransition as exc:
            return await refused(request, kp, txn.id, exc)
        _ = translator(request)
        target = _(kinds.of(action.target).label)
        context = {"kp": kp, "txn": txn, "action": action, "url": kp.url(txn, action.slug),
                   "question": _(CONVERT_QUESTION) % {"source": txn.number, "target": target},
                   "explained": _(CONVERT_EXPLAINED) % {"source": txn.number, "target": target}}
        return render(request, "books/confirm_action.html", context)

    ask.__name__ = f"confirm_{action.slug.replace('-', '_')}"
    return ask


async def pdf_download(request: Request, kp: KindPages) -> Response:
    filename, pdf = await archive.current_pdf(request.state.principal, kp.kind, request.path_params["id"])
    return Response(pdf, media_type="application/pdf", headers=attachment_headers(filename))


routes: list[Route] = [
    *(kind_route(kp, f"/{{id:id}}/{action.slug}", confirm_endpoint(action))
      for kp in KIND_PAGES for action in ACTIONS if action.target is not None and action.applies_to(kp.kind)),
    *(kind_route(kp, f"/{{id:id}}/{action.slug}", action_endpoint(action), ("POST",))
      for kp in KIND_PAGES for action in ACTIONS if action.applies_to(kp.kind)),
    *(kind_route(kp, "/{id:id}.pdf", pdf_download) for kp in KIND_PAGES),
]
