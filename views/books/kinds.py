"""The four transaction kinds as pages (URL slug, module, labels, list filters) and what every
transaction page shares: routes guarded by the kind's module, the organization the user works
in, status labels, and how a refused request answers."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from datetime import date
from typing import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.queryset import QuerySet

from app.errors import NotFound
from app.i18n import N_
from app.models import ContactType, Edition, Kind, Organization, Status, Transaction
from app.services import workflow
from app.permissions import MODULE_OF_KIND
from app.services.transactions import STATUS_LABELS
from views.htmx import is_partial
from views.pages import page

# What display_status() may answer beyond the stored statuses (derived from dates).
DISPLAY_LABELS = {
    **{status.value: label for status, label in STATUS_LABELS.items()},
    "expired": N_("Expired"),
    "overdue": N_("Overdue"),
}


@dataclass(frozen=True)
class KindPages:
    kind: Kind
    slug: str  # the URL segment: /books/<slug>
    singular: str
    plural: str
    due_label: str  # what the kind's second date means
    statuses: tuple[str, ...]  # the list's status filter, display statuses included

    @property
    def module(self) -> str:
        return MODULE_OF_KIND[self.kind]

    @property
    def party_type(self) -> ContactType:
        return ContactType.VENDOR if self.kind == Kind.PURCHASE_ORDER else ContactType.CUSTOMER

    @property
    def party_label(self) -> str:
        return N_("Vendor") if self.kind == Kind.PURCHASE_ORDER else N_("Customer")

    def url(self, record: Transaction | int | None = None, action: str = "") -> str:
        base = f"/books/{self.slug}" + (f"/{getattr(record, 'id', record)}" if record is not None else "")
        return f"{base}/{action}" if action else base

    def pdf_url(self, txn: Transaction) -> str:
        return f"/books/{self.slug}/{txn.id}.pdf"

    def filter_status(self, qs: QuerySet, value: str, today: date) -> QuerySet:
        if value == "expired":
            return qs.filter(workflow.expired_q(today))
        if value == "overdue":
            return qs.filter(workflow.overdue_q(today))
        return qs.filter(status=value)


_VOID = Status.VOID.value
KIND_PAGES = (
    KindPages(Kind.ESTIMATE, "estimates", N_("Estimate"), N_("Estimates"), N_("Expiry date"),
              ("draft", "sent", "viewed", "accepted", "declined", "expired", "converted", _VOID)),
    KindPages(Kind.SALES_ORDER, "sales-orders", N_("Sales order"), N_("Sales orders"),
              N_("Expected delivery date"), ("draft", "confirmed", "invoiced", _VOID)),
    KindPages(Kind.INVOICE, "invoices", N_("Invoice"), N_("Invoices"), N_("Due date"),
              ("draft", "sent", "viewed", "overdue", "partially_paid", "paid", _VOID)),
    KindPages(Kind.PURCHASE_ORDER, "purchase-orders", N_("Purchase order"), N_("Purchase orders"),
              N_("Expected delivery date"), ("draft", "sent", "closed", _VOID)),
)
PAGES_OF_KIND = {kp.kind: kp for kp in KIND_PAGES}


async def current_organization(request: Request) -> Organization | None:
    """The organization the user works in now (chosen in the header), once per request."""
    state = request.state
    if not hasattr(state, "organization"):
        org_id = state.principal.current_organization_id
        state.organization = await Organization.get_or_none(id=org_id) if org_id else None
    return state.organization


async def require_edition_for(request: Request, kp: KindPages) -> None:
    if kp.kind == Kind.SALES_ORDER:
        org = await current_organization(request)
        if org is None or org.edition != Edition.BOOKS:
            raise NotFound(N_("Sales orders exist only in the Books edition."))


KindHandler = Callable[[Request, KindPages], Awaitable[Response]]


def kind_route(kp: KindPages, path: str, handler: KindHandler, methods: tuple[str, ...] = ("GET",)) -> Route:
    """A page of one kind: signed in, the kind's view grant, sales orders only in the Books edition."""

    async def endpoint(request: Request) -> Response:
        await require_edition_for(request, kp)
        return await handler(request, kp)

    endpoint.__name__ = f"{kp.module}_{handler.__name__}"
    return Route(kp.url() + path, page(endpoint, kp.module), methods=list(methods))


def refusal_status(request: Request, status: int) -> int:
    """The status of a refused request whose page must stay put with the reason shown: htmx swaps
    only 2xx and 422 answers (base.html), so htmx gets 422; a plain form gets the precise one."""
    return 422 if is_partial(request) else status


def number_text(value: Decimal) -> str:
    """1000.0000 -> "1,000", 12.5000 -> "12.5": a stored quantity or price as people write it."""
    return format(value.normalize(), ",f")
