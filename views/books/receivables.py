"""Receivables of the current organization: per customer invoiced, paid, outstanding and overdue
amounts and their aging, with a totals row per currency (amounts in different currencies are
never added together) and, when there are other currencies than the yen, a total in yen of every
amount's yen equivalent (reports total in yen)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.i18n import N_
from app.services import receivables
from app.services.receivables import BUCKETS, CustomerReceivables, yen_total
from app.services.transactions import today_in
from views.pages import page
from views.templating import render

BUCKET_LABELS = {
    "current": N_("Current"),
    "days_1_30": N_("1–30 days"),
    "days_31_60": N_("31–60 days"),
    "days_61_90": N_("61–90 days"),
    "days_over_90": N_("Over 90 days"),
}
AMOUNTS = {"invoiced": N_("Amount invoiced"), "paid": N_("Amount paid"), "credited": N_("Credit applied"),
           "outstanding": N_("Outstanding"), "overdue": N_("Amount overdue"), "credit": N_("Unapplied credit"),
           "net": N_("Net owed")}


def totals_by_currency(rows: list[CustomerReceivables]) -> list[CustomerReceivables]:
    totals: dict[str, CustomerReceivables] = {}
    for row in rows:
        totals.setdefault(row.currency, CustomerReceivables(0, "", row.currency)).add(row)
    return list(totals.values())


def total_in_yen(rows: list[CustomerReceivables]) -> CustomerReceivables | None:
    """The total in yen, when some amounts are in another currency (else the yen total says it)."""
    return yen_total(rows) if any(not row.in_yen for row in rows) else None


async def receivables_page(request: Request) -> Response:
    principal = request.state.principal
    rows = await receivables.summary(principal, today_in(principal), principal.current_organization_id)
    context = {"rows": rows, "totals": totals_by_currency(rows), "yen_total": total_in_yen(rows), "buckets": BUCKETS,
               "bucket_labels": BUCKET_LABELS, "amounts": AMOUNTS}
    return render(request, "books/receivables.html", context)


routes = [Route("/books/receivables", page(receivables_page, "receivables"))]
