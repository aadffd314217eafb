"""The customer portal link: a read-only view of one document and its PDF, no sign-in."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.addressing import addressee
from app.errors import NotFound
from app.models import BooksContact, Organization
from app.services import books_pdf, portal, transactions
from app.services.tax import RateTotal
from views.downloads import attachment
from views.pages import error_page
from views.templating import render


async def portal_document(request: Request) -> Response:
    try:
        txn = await portal.open_document(request.path_params["token"], request.state.principal)
    except NotFound as exc:
        return error_page(request, exc, 404)
    org = await Organization.get(id=txn.organization_id)
    contact = await BooksContact.get(id=txn.contact_id)
    response = render(request, "portal/document.html", {
        "txn": txn, "org": org, "contact": contact, "lines": await transactions.lines_of(txn),
        "rates": [RateTotal.from_json(r) for r in txn.tax_breakdown],
        # nobody is named on the page: the customer with its honorific (app.addressing)
        "recipient": addressee(request.state.lang, contact.company_name or contact.display_name,
                               is_company=contact.is_company)[0],
    })
    # The token is the only key: keep it out of referrers and shared caches.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "private, no-store"
    return response


async def portal_pdf(request: Request) -> Response:
    try:
        txn = await portal.document_for(request.path_params["token"])
    except NotFound as exc:
        return error_page(request, exc, 404)
    lang = await Organization.filter(id=txn.organization_id).first().values_list("language", flat=True)
    pdf = await books_pdf.render(txn, lang)
    return attachment(pdf, books_pdf.filename_of(txn, lang), "application/pdf",
                      headers={"Referrer-Policy": "no-referrer", "Cache-Control": "private, no-store"})


routes = [
    Route("/portal/{token}.pdf", portal_pdf),
    Route("/portal/{token}", portal_document),
]
