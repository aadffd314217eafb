"""The consolidated invoice page (合算請求書): Books -> Invoices -> Consolidated invoice.

    GET  /books/invoices/consolidate     the form: customer, closing period (from the customer's
                                         terms), issue date, and a preview of the orders billed;
                                         htmx re-renders the form (`#consolidation-form`) on change
    POST /books/invoices/consolidate     creates the invoice (app.services.consolidation)
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.errors import NotFound, ValidationError
from app.i18n import N_
from app.models import BooksContact, ContactType, Kind
from app.permissions import require, restrict
from app.services import consolidation, payment_terms
from app.services import transactions as txns
from views.books.kinds import PAGES_OF_KIND, require_edition_for
from views.flash import flash
from views.htmx import is_partial, redirect_after_post
from views.pages import page
from views.records import error_map
from views.templating import render, translator

PATH = "/books/invoices/consolidate"
FORM_ID = "consolidation-form"
MAX_CUSTOMERS = 500


async def _customers(request: Request) -> list[BooksContact]:
    principal = request.state.principal
    qs = restrict(BooksContact.filter(organization_id=principal.current_organization_id,
                                      contact_type=ContactType.CUSTOMER), principal, "view")
    return await qs.order_by("display_name", "id").limit(MAX_CUSTOMERS)


async def _form(request: Request, values: dict[str, str], errors: dict[str, list[str]] | None = None,
                status_code: int = 200) -> Response:
    principal = request.state.principal
    customers = await _customers(request)
    contact = next((c for c in customers if str(c.id) == values.get("contact_id")), None)
    periods: list[consolidation.Period] = []
    shown = None
    terms_text = ""
    if contact is not None:
        terms = await consolidation.terms_of(contact)
        terms_text = payment_terms.text(terms.code, request.state.lang)
        periods = consolidation.periods(terms, txns.today_in(principal))
        if values.get("period_end") not in {p.key for p in periods}:
            # the last closed period by default: the one to bill now
            today = txns.today_in(principal)
            values["period_end"] = next((p.key for p in periods if p.end < today), periods[0].key)
        try:
            shown = await consolidation.preview(principal, contact.id, values["period_end"],
                                                values.get("issue_date"))
        except ValidationError as exc:
            errors = {**error_map(exc, request), **(errors or {})}
    context = {
        "kp": PAGES_OF_KIND[Kind.INVOICE], "customers": customers, "contact": contact, "values": values,
        "periods": periods, "preview": shown, "terms_text": terms_text, "errors": errors or {},
        "action": PATH, "form_id": FORM_ID,
    }
    partial = is_partial(request) and request.headers.get("HX-Target") == FORM_ID
    template = "books/_consolidation_form.html" if partial else "books/consolidation.html"
    return render(request, template, context, status_code=status_code)


def _values(source: Any) -> dict[str, str]:
    return {k: str(source.get(k, "") or "")[:100] for k in ("contact_id", "period_end", "issue_date")}


async def consolidation_form(request: Request) -> Response:
    require(request.state.principal, "create_edit", "invoices")
    await require_edition_for(request, PAGES_OF_KIND[Kind.SALES_ORDER])
    return await _form(request, _values(request.query_params))


async def consolidation_create(request: Request) -> Response:
    principal = request.state.principal
    require(principal, "create_edit", "invoices")
    await require_edition_for(request, PAGES_OF_KIND[Kind.SALES_ORDER])
    values = _values(await request.form())
    data = {k: v for k, v in values.items() if v or k != "issue_date"}
    try:
        invoice = await consolidation.create(principal, data)
    except NotFound:
        errors = {"contact_id": [translator(request)(N_("Choose a valid record."))]}
        return await _form(request, {**values, "contact_id": ""}, errors, 422)
    except ValidationError as exc:
        return await _form(request, values, error_map(exc, request), 422)
    flash(request, N_("Consolidated invoice %(number)s created."), number=invoice.number)
    return redirect_after_post(request, PAGES_OF_KIND[Kind.INVOICE].url(invoice))


routes = [
    Route(PATH, page(consolidation_form, "invoices"), methods=["GET"]),
    Route(PATH, page(consolidation_create, "invoices"), methods=["POST"]),
]
