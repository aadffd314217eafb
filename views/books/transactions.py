"""Estimates, sales orders, invoices and purchase orders: one set of pages per kind under
/books/<kind>, every rule in app.services (transactions, workflow, payments, documents, sending).

    GET  /books/invoices                     list of the current organization's (status filter,
                                             search, pages; `_rows` fragment for htmx)
    GET  /books/invoices/new, POST /books/invoices, GET|POST /books/invoices/<id>/edit
                                             form with the line editor (transactions_form)
    GET  /books/invoices/<id>                page (transactions_detail)
    GET  /books/invoices/<id>.pdf            the PDF, as a download
    POST /books/invoices/<id>/<action>       mark-sent, accept, decline, confirm, close,
                                             convert-to-..., void (transactions_actions); each
                                             says it is done (a flash message, views/books/feedback)
    GET  /books/estimates/<id>/convert-to-... the question before a conversion
    POST /books/invoices/<id>/comments|documents|payments, GET|POST /books/invoices/<id>/send
    GET  /books/documents/<id>               a document, as a download
    GET  /books/receivables                  receivables per customer
    GET  /books/payments                     the organization's payments (payments_list)
    GET  /books/invoices?contact=<id>&status=unpaid   a customer's invoices with a balance due
    GET|POST /books/invoices/consolidate     a consolidated invoice (views/books/consolidation.py)
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app import cleaning, settings
from app.i18n import N_
from app.models import BooksContact, Kind
from app.services import billing
from app.services import transactions as txns
from app.search import list_search
from app.services import workflow
from views.books import (
    comments, consolidation, credit_notes, documents, payments, payments_list, receivables, sending,
    transactions_actions, transactions_form,
)
from views.books.kinds import DISPLAY_LABELS, KIND_PAGES, KindPages, kind_route
from views.books.transactions_detail import detail
from views.htmx import targets
from views.records import int_param, query_string
from views.templating import render

ROWS_ID = "rows"


async def index(request: Request, kp: KindPages) -> Response:
    principal = request.state.principal
    params = request.query_params
    today = txns.today_in(principal)
    qs = txns.query(principal, kp.kind).filter(organization_id=principal.current_organization_id)
    q = cleaning.search(params.get("q", "")).strip()
    if (found := list_search(qs.model, q)) is not None:
        qs = qs.filter(found)
    active = {}
    party = None  # the list narrowed to one customer or vendor (links from its page, receivables)
    if (contact_pk := cleaning.pk(params.get("contact", ""))) is not None:
        party = await BooksContact.get_or_none(id=contact_pk, organization_id=principal.current_organization_id)
        if party is not None:
            qs = qs.filter(contact_id=party.id)
            active["contact"] = str(party.id)
    status = params.get("status", "")
    if status in kp.statuses:
        qs = kp.filter_status(qs, status, today)
        active["status"] = status
    total = await qs.count()
    per_page = int_param(params.get("per_page"), settings.DEFAULT_PAGE_SIZE, 1, settings.MAX_PAGE_SIZE)
    page_count = max(1, -(-total // per_page))
    page_no = int_param(params.get("page"), 1, 1, page_count)
    rows = await qs.select_related("contact").offset((page_no - 1) * per_page).limit(per_page)
    context = {
        "kp": kp, "rows": rows, "total": total, "q": q, "active": active, "party": party,
        "statuses": [("", N_("All")), *((s, DISPLAY_LABELS[s]) for s in kp.statuses)],
        "display": {row.id: workflow.display_status(row, today) for row in rows},
        "labels": DISPLAY_LABELS, "page": page_no, "page_count": page_count,
        "query": query_string(q, active, per_page),
        "can_create": principal.has(kp.module, "create_edit"),
        "partly_invoiced": await billing.partly_billed(rows) if kp.kind == Kind.SALES_ORDER else set(),
    }
    template = "books/_rows.html" if targets(request, ROWS_ID) else "books/index.html"
    return render(request, template, context)


routes = [
    *(kind_route(kp, "", index) for kp in KIND_PAGES),
    *consolidation.routes,
    *transactions_form.routes,
    *(kind_route(kp, "/{id:id}", detail) for kp in KIND_PAGES),
    *transactions_actions.routes,
    *comments.routes,
    *documents.routes,
    *payments.routes,
    *credit_notes.routes,
    *payments_list.routes,
    *sending.routes,
    *receivables.routes,
]
