"""Status changes (one POST endpoint per button) and the PDF download of a transaction."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.errors import Conflict
from app.services import archive
from views.downloads import attachment_headers
from views.books.kinds import KIND_PAGES, PAGES_OF_KIND, KindHandler, KindPages, kind_route
from views.books.transactions_detail import refused
from views.books.transactions_workflow import ACTIONS, Action
from views.htmx import redirect_after_post


def action_endpoint(action: Action) -> KindHandler:
    async def run(request: Request, kp: KindPages) -> Response:
        record_id = request.path_params["id"]
        try:
            result = await action.run(request.state.principal, kp.kind, record_id)
        except Conflict as exc:  # InvalidTransition: the status machine said no, and why
            return await refused(request, kp, record_id, exc)
        return redirect_after_post(request, PAGES_OF_KIND[result.kind].url(result))

    run.__name__ = action.slug.replace("-", "_")
    return run


async def pdf_download(request: Request, kp: KindPages) -> Response:
    filename, pdf = await archive.current_pdf(request.state.principal, kp.kind, request.path_params["id"])
    return Response(pdf, media_type="application/pdf", headers=attachment_headers(filename))


routes: list[Route] = [
    *(kind_route(kp, f"/{{id:id}}/{action.slug}", action_endpoint(action), ("POST",))
      for kp in KIND_PAGES for action in ACTIONS if action.applies_to(kp.kind)),
    *(kind_route(kp, "/{id:id}.pdf", pdf_download) for kp in KIND_PAGES),
]
