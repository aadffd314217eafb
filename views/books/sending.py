"""Sending a transaction by e-mail: the dialog (template, recipients, subject and body prefilled
from the template, the attachment's name) and the sending. Changing the template reloads the
form through htmx; an SMTP failure is shown and nothing is marked sent."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.errors import Conflict, DeliveryFailed, ValidationError
from app.services import sending
from app.services.sending import Composition
from views.books.kinds import KIND_PAGES, KindPages, kind_route, refusal_status
from views.books import feedback
from views.htmx import is_partial, redirect_after_post, targets
from views.records import error_map
from views.templating import render, translator

FORM_ID = "send-form"


async def _compose(request: Request, kp: KindPages, template_id: Any) -> Composition | Response:
    """The composition, or the page saying why there is none (no template for this kind)."""
    try:
        return await sending.compose(request.state.principal, kp.kind, request.path_params["id"], template_id)
    except ValidationError as exc:
        return no_composition(request, kp, exc)


def no_composition(request: Request, kp: KindPages, exc: ValidationError) -> Response:
    """The page saying why nothing can be composed (no template, no sender)."""
    problem = exc.errors[0].render(translator(request))
    return render(request, "books/send.html", {"kp": kp, "problem": problem}, status_code=409)


def render_form(request: Request, kp: KindPages, composition: Composition, values: dict[str, Any],
            errors: dict[str, list[str]] | None = None, problem: str = "", status_code: int = 200) -> Response:
    context = {"kp": kp, "txn": composition.transaction, "composition": composition, "values": values,
               "errors": errors or {}, "problem": problem}
    fragment = targets(request, FORM_ID) or (request.method == "POST" and is_partial(request))
    template = "books/_send_form.html" if fragment else "books/send.html"
    return render(request, template, context, status_code=status_code)


async def send_form(request: Request, kp: KindPages) -> Response:
    params = request.query_params
    composition = await _compose(request, kp, params.get("template_id"))
    if isinstance(composition, Response):
        return composition
    reload = "cc" in params  # the template changed: keep the recipients already chosen
    values = {"subject": composition.subject, "body": composition.body, "to": params.getlist("to") if reload else composition.to,
              "cc": params.get("cc", "")}
    return render_form(request, kp, composition, values)


async def send(request: Request, kp: KindPages) -> Response:
    form = await request.form()
    values = {"template_id": str(form.get("template_id", "")), "to": form.getlist("to"),
              "cc": str(form.get("cc", "")), "subject": str(form.get("subject", "")),
              "body": str(form.get("body", ""))}
    composition = await _compose(request, kp, values["template_id"])
    if isinstance(composition, Response):
        return composition
    try:
        txn = await sending.send(
            request.state.principal, kp.kind, request.path_params["id"], to=values["to"], cc=values["cc"],
            subject=values["subject"], body=values["body"], lang=composition.template.language)
    except ValidationError as exc:
        return render_form(request, kp, composition, values, error_map(exc, request), status_code=422)
    except (DeliveryFailed, Conflict) as exc:
        status = refusal_status(request, 502 if isinstance(exc, DeliveryFailed) else 409)
        return render_form(request, kp, composition, values, problem=exc.render(translator(request)),
                       status_code=status)
    feedback.done(request, feedback.SENT_BY_EMAIL, txn, sent=True)
    return redirect_after_post(request, kp.url(txn))


routes = [
    *(kind_route(kp, "/{id:id}/send", send_form) for kp in KIND_PAGES),
    *(kind_route(kp, "/{id:id}/send", send, ("POST",)) for kp in KIND_PAGES),
]
