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

from app import kinds
from app.errors import NotFound
from app.i18n import N_
from app.kinds import DocumentKind
from app.models import Organization, Transaction
from app.services import workflow
from app.services.transactions import STATUS_LABELS
from views.htmx import is_partial
from views.pages import page

# What display_status() may answer beyond the stored statuses (derived from dates).
DISPLAY_LABELS = {
    **{status.value: label for status, label in STATUS_LABELS.items()},
    "expired": N_("Expired"),
    "overdue": N_("Overdue"),
    "unpaid": N_("Unpaid"),  # a list filter only: invoices with a balance to collect
}


@dataclass(frozen=True)
class KindPages:
    """The pages of one kind; what the kind is comes from its registry entry (`app.kinds`)."""

    doc: DocumentKind

    kind = property(lambda self: self.doc.kind)
    slug = property(lambda self: self.doc.slug)  # the URL segment: /books/<slug>
    singular = property(lambda self: self.doc.singular)
    plural = property(lambda self: self.doc.plural)
    due_label = property(lambda self: self.doc.due_label)  # what the kind's second date means
    statuses = property(lambda self: self.doc.statuses)  # the list's status filter
    module = property(lambda self: self.doc.module)
    party_type = property(lambda self: self.doc.party)
    party_label = property(lambda self: self.doc.party_label)

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
        if value == "unpaid":
            return qs.filter(workflow.unpaid_q())
        return qs.filter(status=value)


KIND_PAGES = tuple(KindPages(doc) for doc in kinds.KINDS)
PAGES_OF_KIND = {kp.kind: kp for kp in KIND_PAGES}


async def current_organization(request: Request) -> Organization | None:
    """The organization the user works in now (chosen in the header), once per request."""
    state = request.state
    if not hasattr(state, "organization"):
        org_id = state.principal.current_organization_id
        state.organization = await Organization.get_or_none(id=org_id) if org_id else None
    return state.organization


async def require_edition_for(request: Request, kp: KindPages) -> None:
    if kp.doc.books_edition_only and not kp.doc.exists_in(await current_organization(request)):
        raise NotFound(kinds.BOOKS_EDITION_ONLY)


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
