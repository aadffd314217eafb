"""The organization's payments (/books/payments): date, customer, invoice, amount and mode, newest
first or oldest first, narrowed to a customer and a range of payment dates, in pages; each row
leads to its invoice. The rule of what is listed is the service's
(`payments.organization_payments`); filters that name nothing valid are ignored."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app import cleaning, settings
from app.models import BooksContact, ContactType
from app.permissions import require
from app.services import payments
from views.books.transactions_detail import PAYMENT_MODES
from views.choices import OPTION_LIMIT
from views.htmx import targets
from views.pages import page
from views.records import int_param
from views.templating import render

ROWS_ID = "rows"


def _day(value: str) -> date | None:
    try:
        return cleaning.day(value) if value else None
    except cleaning.Unclean:
        return None


async def payment_list(request: Request) -> Response:
    principal = request.state.principal
    require(principal, "view", "invoices")
    params, org_id = request.query_params, principal.current_organization_id
    active: dict[str, str] = {}
    contact_id = cleaning.pk(params.get("contact", ""))
    if contact_id is not None and await BooksContact.exists(id=contact_id, organization_id=org_id or 0):
        active["contact"] = str(contact_id)
    else:
        contact_id = None
    date_from, date_to = _day(params.get("from", "")), _day(params.get("to", ""))
    if date_from:
        active["from"] = date_from.isoformat()
    if date_to:
        active["to"] = date_to.isoformat()
    order = params.get("order", "-date")
    if order not in payments.ORDERS:
        order = "-date"
    qs = payments.organization_payments(principal, org_id, contact_id=contact_id, date_from=date_from,
                                        date_to=date_to, order=order)
    total = await qs.count()
    per_page = settings.DEFAULT_PAGE_SIZE
    page_count = max(1, -(-total // per_page))
    page_no = int_param(params.get("page"), 1, 1, page_count)
    rows = await qs.select_related("invoice", "invoice__contact").offset((page_no - 1) * per_page).limit(per_page)
    customers = await BooksContact.filter(organization_id=org_id or 0, contact_type=ContactType.CUSTOMER).limit(
        OPTION_LIMIT).values_list("id", "display_name")
    received, received_jpy = await payments.received_totals(qs)
    context = {
        "received": received, "received_jpy": received_jpy,
        "rows": rows, "total": total, "page": page_no, "page_count": page_count, "order": order,
        "active": active, "customers": [(str(i), n) for i, n in customers], "modes": PAYMENT_MODES,
        "query": urlencode({**active, **({"order": order} if order != "-date" else {})}),
        "filters": urlencode(active),
    }
    template = "books/_payment_rows.html" if targets(request, ROWS_ID) else "books/payments.html"
    return render(request, template, context)


routes = [Route("/books/payments", page(payment_list, "invoices"))]
