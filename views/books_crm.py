"""Books inside the CRM: the Books panel of account, contact and deal pages, and the documents
reached from it, acting through the link (app.services.books_crm holds every rule).

    GET  /<module>/<record>/books                         the panel (lazy; `books-list` fragment on refresh)
    GET  /<module>/<record>/books/<kind>/<id>             the document (the Books page, read-only)
    GET  /<module>/<record>/books/<kind>/<id>.pdf         its PDF
    GET|POST /<module>/<record>/books/<kind>/<id>/send    e-mail as PDF (Books templates and sending)
    POST /<module>/<record>/books/<kind>/new              new document form, customer filled in
    POST /<module>/<record>/books/<kind>                  create it (lines editor under the same prefix)

The Books pages' own handlers and templates serve these, given the user acting through the link
as the request's principal and the kind's URLs under the record (`RecordKindPages`); what is
allowed is decided before, with the user's own principal: 404 for anyone not allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from app.errors import Conflict, DeliveryFailed, NotFound, ValidationError
from app.services import books_crm
from app.services.books_crm import BooksAccess
from views.books import transactions_form
from views.books.sending import no_composition, render_form
from views.books.kinds import DISPLAY_LABELS, KIND_PAGES, KindHandler, KindPages, refusal_status
from views.books.receivables import AMOUNTS, BUCKET_LABELS, total_in_yen, totals_by_currency
from views.books.transactions_actions import pdf_download
from views.books.transactions_detail import page_context
from views.books.transactions_form import HEADER_FIELDS, blank_line, keyed_errors, parse, service_data
from views.htmx import redirect_after_post, targets
from views.pages import page
from views.records import error_map
from views.templating import render, translator

LIST_ID = "books-list"


@dataclass(frozen=True)
class RecordKindPages(KindPages):
    """A kind's pages as reached from a CRM record: the same templates, URLs under the record."""

    base: str = ""

    def url(self, record: Any = None, action: str = "") -> str:
        url = f"{self.base}/{self.slug}" + (f"/{getattr(record, 'id', record)}" if record is not None else "")
        return f"{url}/{action}" if action else url

    def pdf_url(self, txn: Any) -> str:
        return f"{self.base}/{self.slug}/{txn.id}.pdf"


def record_base(module: str, record_id: int) -> str:
    return f"/{module}/{record_id}/books"


def pages_for(module: str, record_id: int) -> dict[str, RecordKindPages]:
    return {kp.kind.value: RecordKindPages(kp.doc, base=record_base(module, record_id)) for kp in KIND_PAGES}


def _acting(request: Request, acc: BooksAccess) -> None:
    """From here on the request acts through the link (the Books handlers read these); pages
    still show the user's own header and menus."""
    request.state.own_principal = request.state.principal
    request.state.principal = acc.acting
    request.state.organization = acc.organization


# ---- the panel --------------------------------------------------------------------------------


async def panel(request: Request, module: str) -> Response:
    principal = request.state.principal
    found = await books_crm.for_record(principal, module, request.path_params["record"])
    if found is None:  # not there for this user: nothing at all, not even a heading
        return Response(status_code=200)
    kps = pages_for(module, found.record_id)
    context = {
        "books": found, "module": module, "kps": kps, "labels": DISPLAY_LABELS,
        "payment_labels": books_crm.PAYMENT_LABELS,
        "creatable": [kps[k.value] for k in books_crm.kinds_shown(found.access, module)["creatable"]],
        "panel_url": record_base(module, found.record_id),
        "receivable_totals": totals_by_currency(found.receivables or []),
        "yen_total": total_in_yen(found.receivables or []),
        "buckets": books_crm.receivables.BUCKETS, "bucket_labels": BUCKET_LABELS, "amounts": AMOUNTS,
    }
    template = "books_crm/_list.html" if targets(request, LIST_ID) else "books_crm/_panel.html"
    return render(request, template, context)


# ---- one document -----------------------------------------------------------------------------


async def back_to_record(request: Request, module: str) -> Response:
    """The kind's address under a record (the crumbs of its pages) leads back to the record."""
    await books_crm.record(request.state.principal, module, request.path_params["record"])
    return RedirectResponse(f"/{module}/{request.path_params['record']}", status_code=303)


async def detail(request: Request, kp: RecordKindPages, acc: BooksAccess) -> Response:
    txn = await books_crm.txns.get(acc.acting, kp.kind, request.path_params["id"])
    context = await page_context(request, kp, txn)
    # read-only here: status changes, payments, notes and files stay on the Books pages
    context.update(actions=[], can_edit=False, can_write=False, can_record_payment=False, links=[],
                   documents=[], can_email=context["can_email"] and acc.allows("email", kp.kind))
    return render(request, "books/detail.html", context)


async def pdf(request: Request, kp: RecordKindPages, acc: BooksAccess) -> Response:
    return await pdf_download(request, kp)


# ---- e-mail as PDF ---------------------------------------------------------------------------


async def _composition(request: Request, module: str, kp: RecordKindPages, template_id: Any, user: Any):
    try:
        return (await books_crm.compose(user, module, request.path_params["record"], kp.kind,
                                        request.path_params["id"], template_id))[1]
    except ValidationError as exc:
        return no_composition(request, kp, exc)


async def send_form(request: Request, module: str, kp: RecordKindPages, user: Any) -> Response:
    params = request.query_params
    composition = await _composition(request, module, kp, params.get("template_id"), user)
    if isinstance(composition, Response):
        return composition
    reload = "cc" in params
    values = {"subject": composition.subject, "body": composition.body,
              "to": params.getlist("to") if reload else composition.to, "cc": params.get("cc", "")}
    return render_form(request, kp, composition, values)


async def send(request: Request, module: str, kp: RecordKindPages, user: Any) -> Response:
    form = await request.form()
    values = {"template_id": str(form.get("template_id", "")), "to": form.getlist("to"),
              "cc": str(form.get("cc", "")), "subject": str(form.get("subject", "")),
              "body": str(form.get("body", ""))}
    composition = await _composition(request, module, kp, values["template_id"], user)
    if isinstance(composition, Response):
        return composition
    try:
        txn = await books_crm.send(user, module, request.path_params["record"], kp.kind, request.path_params["id"],
                                   to=values["to"], cc=values["cc"], subject=values["subject"],
                                   body=values["body"], lang=composition.template.language)
    except ValidationError as exc:
        return render_form(request, kp, composition, values, error_map(exc, request), status_code=422)
    except (DeliveryFailed, Conflict) as exc:
        status = refusal_status(request, 502 if isinstance(exc, DeliveryFailed) else 409)
        return render_form(request, kp, composition, values, problem=exc.render(translator(request)),
                                status_code=status)
    return redirect_after_post(request, kp.url(txn))


# ---- new documents -------------------------------------------------------------------------


async def _form(request: Request, module: str, kp: RecordKindPages, user: Any, acc: BooksAccess,
                values: dict[str, Any], errors: dict[str, list[str]] | None = None, status_code: int = 200) -> Response:
    """The Books form, acting through the link, offering only the record's own customers."""
    record_id = int(request.path_params["record"])
    options = await transactions_form._options(acc.organization, kp)
    options["contact_id"] = [(str(i), name) for i, name in await books_crm.customer_choices(acc, user, module, record_id)]
    _acting(request, acc)
    return await transactions_form._form(request, kp, None, values, errors, status_code, options)


async def new(request: Request, module: str, kp: RecordKindPages, user: Any) -> Response:
    """POST from the record's page: its customer (synced on the spot when missing), then the
    Books form with it filled in."""
    _obj, acc, customer = await books_crm.customer_of_record(user, module, request.path_params["record"], kp.kind)
    values: dict[str, Any] = {name: "" for name in HEADER_FIELDS}
    values.update(contact_id=str(customer.id), issue_date=books_crm.txns.today_in(user).isoformat(),
                  lines=[blank_line(0)])
    return await _form(request, module, kp, user, acc, values)


async def create(request: Request, module: str, kp: RecordKindPages, user: Any) -> Response:
    values = parse(await request.form())
    data, keys = service_data(values, creating=True)
    try:
        txn = await books_crm.create(user, module, request.path_params["record"], kp.kind, data)
    except ValidationError as exc:
        _obj, acc = await books_crm.allowed(user, module, request.path_params["record"], kp.kind, "create_edit")
        return await _form(request, module, kp, user, acc, values, keyed_errors(error_map(exc, request), keys), 422)
    return redirect_after_post(request, kp.url(txn))


# ---- routes ------------------------------------------------------------------------------------


def _document_route(module: str, kp: KindPages, path: str, handler: Any, action: str = "view") -> Route:
    """A route about one document of one record: allowed (else 404) before the handler runs,
    which then acts through the link."""

    async def endpoint(request: Request) -> Response:
        record_id = request.path_params["record"]
        _obj, acc, _txn = await books_crm.document(request.state.principal, module, record_id, kp.kind,
                                                   request.path_params["id"], action)
        rkp = RecordKindPages(kp.doc, base=record_base(module, record_id))
        _acting(request, acc)
        return await handler(request, rkp, acc)

    endpoint.__name__ = f"books_crm_{handler.__name__}"
    return Route(f"/{module}/{{record:id}}/books/{kp.slug}{path}", page(endpoint))


def _record_route(module: str, kp: KindPages, path: str, handler: Any, methods: tuple[str, ...] = ("GET",)) -> Route:
    """A route about a record's documents of one kind; the handler checks what it needs."""

    async def endpoint(request: Request) -> Response:
        rkp = RecordKindPages(kp.doc, base=record_base(module, request.path_params["record"]))
        return await handler(request, module, rkp, request.state.principal)

    endpoint.__name__ = f"books_crm_{handler.__name__}"
    return Route(f"/{module}/{{record:id}}/books/{kp.slug}{path}", page(endpoint), methods=list(methods))


def _editor_route(module: str, kp: KindPages, path: str, handler: KindHandler, methods: tuple[str, ...] = ("GET",)) -> Route:
    """The form's line editor (new line, item, totals): the Books handlers, acting through the link."""

    async def endpoint(request: Request) -> Response:
        record_id = request.path_params["record"]
        if module not in books_crm.CREATES_FROM:
            raise NotFound()
        _obj, acc = await books_crm.allowed(request.state.principal, module, record_id, kp.kind, "create_edit")
        _acting(request, acc)
        return await handler(request, RecordKindPages(kp.doc, base=record_base(module, record_id)))

    endpoint.__name__ = f"books_crm_{handler.__name__}"
    return Route(f"/{module}/{{record:id}}/books/{kp.slug}{path}", page(endpoint), methods=list(methods))


def _panel_route(module: str) -> Route:
    async def endpoint(request: Request) -> Response:
        return await panel(request, module)

    endpoint.__name__ = f"{module}_books_panel"
    return Route(f"/{module}/{{record:id}}/books", page(endpoint))


def _back_route(module: str, kp: KindPages) -> Route:
    async def endpoint(request: Request) -> Response:
        return await back_to_record(request, module)

    endpoint.__name__ = f"{module}_books_back"
    return Route(f"/{module}/{{record:id}}/books/{kp.slug}", page(endpoint))


routes: list[Route] = [
    route
    for module in books_crm.MODULES
    for route in (
        _panel_route(module),
        *(r for kp in KIND_PAGES if kp.kind in books_crm.SHOWN for r in (
            _back_route(module, kp),
            _record_route(module, kp, "", create, ("POST",)),
            _record_route(module, kp, "/new", new, ("POST",)),
            _editor_route(module, kp, "/lines/new", transactions_form.new_line),
            _editor_route(module, kp, "/lines/item", transactions_form.item_line),
            _editor_route(module, kp, "/totals", transactions_form.line_totals, ("POST",)),
            _document_route(module, kp, "/{id:id}", detail),
            _document_route(module, kp, "/{id:id}.pdf", pdf),
            _record_route(module, kp, "/{id:id}/send", send_form),
            _record_route(module, kp, "/{id:id}/send", send, ("POST",)),
        )),
    )
]
