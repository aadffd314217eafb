"""The customer portal (app.services.portal): a document by its link (`/portal/<token>`), or all of
a customer's estimates and invoices after signing in by a one-time e-mailed link
(`/portal/home`, `/portal/d/<id>`). Its own layout (no staff header), in the organization's
language. GETs change nothing but the "viewed" record; every action is a POST carrying the CSRF
token; every portal request counts against the per-address limit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from app import settings
from app.addressing import addressee
from app.errors import InvalidTransition, KizunaError, NotFound, ValidationError
from app.i18n import N_, Translator, gettext
from app.models import BooksContact, Kind, Organization, Transaction
from app.services import archive, card_payments, portal, portal_sessions, transactions, workflow
from app.services.documents import storage_path
from app.formatting import format_document_period
from app.services.tax import CATEGORY_LABELS, RateTotal
from views.books.kinds import DISPLAY_LABELS
from views.downloads import attachment
from views.pages import error_page
from views.records import error_map
from views.templating import render

PRIVATE = {"Referrer-Policy": "no-referrer", "Cache-Control": "private, no-store"}
LOGO_TYPES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def _ip(request: Request) -> str:
    return request.client.host if request.client else ""


def limited(handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        if not portal_sessions.limiter.allow(_ip(request), settings.PORTAL_REQUESTS_PER_MINUTE):
            text = gettext(request.state.lang, N_("Too many requests. Wait a minute and try again."))
            return PlainTextResponse(text, status_code=429, headers={"Retry-After": "60"})
        response = await handler(request)
        response.headers.update(PRIVATE)
        return response
    return endpoint


class Place:
    """Where a document is reached: by its link, or in a signed-in customer's portal."""

    def __init__(self, txn: Transaction, visitor: portal.Visitor, base: str, signed_in: bool) -> None:
        self.txn, self.visitor, self.base, self.signed_in = txn, visitor, base, signed_in


async def _place(request: Request) -> Place:
    """The document of the request and who looks at it (NotFound when not theirs)."""
    principal = request.state.principal
    if "token" in request.path_params:
        txn = await portal.document_for(request.path_params["token"])
        visitor = portal.visitor_of_link(txn, principal)
        return Place(txn, visitor, f"/portal/{txn.portal_token}", False)
    session = await portal_sessions.current(request.cookies.get(settings.PORTAL_COOKIE))
    if session is None:
        raise NotFound()
    visitor = portal.Visitor(contact_id=session.contact_id, name=session.name, email=session.email,
                             staff=principal is not None and session.organization_id in principal.organization_ids)
    txn = await portal.document_of(visitor, request.path_params["id"])
    return Place(txn, visitor, f"/portal/d/{txn.id}", True)


async def _document_page(request: Request, place: Place, status_code: int = 200, **extra: Any) -> Response:
    txn = place.txn
    org = await Organization.get(id=txn.organization_id)
    request.state.lang = org.language if org.language in ("ja", "en") else request.state.lang
    contact = await BooksContact.get(id=txn.contact_id)
    status = workflow.display_status(txn, portal.today())
    context = {
        "txn": txn, "org": org, "contact": contact, "base": place.base, "signed_in": place.signed_in,
        "lines": await transactions.lines_of(txn),
        "rates": [RateTotal.from_json(r) for r in txn.tax_breakdown],
        "category_labels": CATEGORY_LABELS,
        "period": format_document_period(txn.transaction_date, txn.transaction_date_end, request.state.lang),
        "status": status, "status_label": DISPLAY_LABELS[status],
        "recipient": addressee(request.state.lang, contact.company_name or contact.display_name,
                               is_company=contact.is_company)[0],
        "comments": await portal.comments_for_customer(txn),
        "accept_refusal": None, "decline_refusal": None, "pay_refusal": None,
        "acceptance": None, "transfers": [], "card_providers": [], "credited_invoices": [], "errors": {}, "values": {}, "form": "", "notice": "",
    }
    if txn.kind == Kind.ESTIMATE:
        context["acceptance"] = await portal.acceptance(txn)
        for action in ("accept", "decline"):
            problem = portal.refusal(txn, action)
            context[f"{action}_refusal"] = problem.render(Translator(request.state.lang)) if problem else None
    elif txn.kind == Kind.INVOICE:
        problem = portal.payable_refusal(txn)
        context["pay_refusal"] = problem.render(Translator(request.state.lang)) if problem else None
        context["transfers"] = await portal.pending_transfers(txn)
        context["card_providers"] = [p.name for p in card_payments.offered()]
    elif txn.kind == Kind.CREDIT_NOTE:
        from app.services import credit_notes

        context["credited_invoices"] = await credit_notes.referenced_invoices(txn)
    context.update(extra)
    return render(request, "portal/document.html", context, status_code=status_code)


async def document(request: Request) -> Response:
    try:
        place = await _place(request)
    except NotFound as exc:
        return error_page(request, exc, 404)
    place.txn = await portal.record_view(place.txn, place.visitor)
    if not place.visitor.staff:  # what the customer saw is kept (the same bytes while unchanged)
        try:
            await archive.portal_copy(place.txn, customer_name=place.visitor.name, staff=False)
        except archive.TamperedVersion:
            pass  # logged; reported to whoever downloads that version, the page still shows
    return await _document_page(request, place, notice=request.query_params.get("done", "")[:20])


async def pdf(request: Request) -> Response:
    try:
        place = await _place(request)
    except NotFound as exc:
        return error_page(request, exc, 404)
    try:
        filename, body = await archive.portal_copy(place.txn, customer_name=place.visitor.name,
                                                   staff=place.visitor.staff)
    except archive.TamperedVersion as exc:
        return error_page(request, exc, 409)
    return attachment(body, filename, "application/pdf", headers=PRIVATE)


async def logo(request: Request) -> Response:
    try:
        place = await _place(request)
    except NotFound as exc:
        return error_page(request, exc, 404)
    org = await Organization.get(id=place.txn.organization_id)
    path = storage_path(org.logo_path) if org.logo_path else None
    if path is None or not path.exists():
        return PlainTextResponse("", status_code=404)
    body = path.read_bytes()
    media = next((t for magic, t in LOGO_TYPES.items() if body.startswith(magic)), "application/octet-stream")
    return Response(body, media_type=media, headers={"X-Content-Type-Options": "nosniff"})


def _action(run: Callable[[Transaction, portal.Visitor, dict[str, Any]], Awaitable[Any]], form: str, done: str):
    async def endpoint(request: Request) -> Response:
        try:
            place = await _place(request)
        except NotFound as exc:
            return error_page(request, exc, 404)
        data = {k: v for k, v in (await request.form()).items() if k != "csrf_token" and isinstance(v, str)}
        try:
            await run(place.txn, place.visitor, data)
        except ValidationError as exc:
            return await _document_page(request, place, 422, errors=error_map(exc, request), values=data, form=form)
        except InvalidTransition as exc:
            place.txn = await Transaction.get(id=place.txn.id)
            return await _document_page(request, place, 409, errors={"form": [exc.render(
                Translator(request.state.lang))]}, values=data, form=form)
        return RedirectResponse(f"{place.base}?done={done}#{form}", status_code=303)
    return endpoint


async def pay_by_card(request: Request) -> Response:
    try:
        place = await _place(request)
    except NotFound as exc:
        return error_page(request, exc, 404)
    form = await request.form()
    provider = card_payments.provider(str(form.get("provider", "")))
    problem = portal.payable_refusal(place.txn)
    if provider is None or problem is not None:
        return error_page(request, problem or NotFound(), 409 if problem else 404)
    url = f"{settings.PUBLIC_URL}{place.base}"
    try:
        target = await provider.checkout_url(place.txn, f"{url}?done=card", url)
    except card_payments.ProviderFailed as exc:
        return error_page(request, exc, 502)
    return RedirectResponse(target, status_code=303)


async def stripe_webhook(request: Request) -> Response:
    provider = card_payments.provider("stripe")
    if provider is None:
        return PlainTextResponse("", status_code=404)
    body = await request.body()
    try:
        paid = provider.verify(body, request.headers.get("stripe-signature", ""))
    except card_payments.BadWebhook:
        return PlainTextResponse("bad signature", status_code=400)
    if paid is not None:
        await card_payments.apply(provider.name, paid)
    return PlainTextResponse("ok")


# -- signing in ----------------------------------------------------------------------------------

async def sign_in(request: Request) -> Response:
    context: dict[str, Any] = {"errors": {}, "email": "", "sent": False}
    if request.method == "POST":
        email = str((await request.form()).get("email", ""))[:1000]
        try:
            await portal_sessions.request_link(email, None)
        except ValidationError as exc:
            return render(request, "portal/sign_in.html", {**context, "email": email,
                                                            "errors": error_map(exc, request)}, 422)
        except KizunaError:  # the mail server refused: say nothing more than usual
            pass
        context["sent"] = True
    return render(request, "portal/sign_in.html", context)


async def sign_in_link(request: Request) -> Response:
    """GET shows a button (a mail scanner following the link spends nothing); POST spends the
    link and starts the portal session."""
    secret = request.path_params["secret"]
    try:
        link = await (portal_sessions.use_link(secret) if request.method == "POST" else portal_sessions.link_for(secret))
    except NotFound:
        return render(request, "portal/link_expired.html", {}, 404)
    if request.method == "GET":
        org = await Organization.get(id=link.organization_id)
        return render(request, "portal/sign_in_link.html", {"org": org, "secret": secret})
    cookie = await portal_sessions.start(link)
    response = RedirectResponse("/portal/home", status_code=303)
    response.set_cookie(settings.PORTAL_COOKIE, cookie, max_age=portal_sessions.max_age(), httponly=True,
                        samesite="lax", secure=settings.SESSION_HTTPS_ONLY, path="/portal")
    return response


async def sign_out(request: Request) -> Response:
    await portal_sessions.end(request.cookies.get(settings.PORTAL_COOKIE))
    response = RedirectResponse("/portal/sign-in", status_code=303)
    response.delete_cookie(settings.PORTAL_COOKIE, path="/portal")
    return response


async def home(request: Request) -> Response:
    session = await portal_sessions.current(request.cookies.get(settings.PORTAL_COOKIE))
    if session is None:
        return RedirectResponse("/portal/sign-in", status_code=303)
    org = await Organization.get(id=session.organization_id)
    request.state.lang = org.language if org.language in ("ja", "en") else request.state.lang
    contact = await BooksContact.get(id=session.contact_id)
    visitor = portal.Visitor(contact_id=contact.id, name=session.name, email=session.email)
    docs = await portal.documents_of(visitor)
    today = portal.today()
    rows = {kind.value: [(t, workflow.display_status(t, today)) for t in docs[kind]] for kind in docs}
    return render(request, "portal/home.html", {"org": org, "contact": contact, "session": session,
                                                "rows": rows, "labels": DISPLAY_LABELS})


routes = [
    Route("/portal/sign-in", limited(sign_in), methods=["GET", "POST"]),
    Route("/portal/sign-in/{secret}", limited(sign_in_link), methods=["GET", "POST"]),
    Route("/portal/sign-out", limited(sign_out), methods=["POST"]),
    Route("/portal/home", limited(home)),
    Route("/portal/webhooks/stripe", stripe_webhook, methods=["POST"]),
    *[Route(prefix + suffix, limited(handler), methods=methods)
      for prefix in ("/portal/d/{id:int}", "/portal/{token}")
      for suffix, handler, methods in (
          ("/comments", _action(portal.comment, "comments", "comment"), ["POST"]),
          ("/accept", _action(portal.accept, "accept", "accept"), ["POST"]),
          ("/decline", _action(portal.decline, "decline", "decline"), ["POST"]),
          ("/transfer", _action(portal.report_transfer, "transfer", "transfer"), ["POST"]),
          ("/card", pay_by_card, ["POST"]),
          ("/logo", logo, ["GET"]),
      )],
    Route("/portal/d/{id:int}.pdf", limited(pdf)),
    Route("/portal/d/{id:int}", limited(document)),
    Route("/portal/{token}.pdf", limited(pdf)),
    Route("/portal/{token}", limited(document)),
]


