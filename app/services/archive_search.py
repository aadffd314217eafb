"""Searching what was kept (電子帳簿保存法: by date, amount and counterparty): the kept versions
of issued documents (app.services.archive) and the files received onto documents (uploads: a
customer's order, a vendor's bill), only in the principal's organizations and the Books modules
they view. The Books → Archive page and GraphQL `keptDocuments` / `receivedFiles` call it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from app import cleaning, kinds
from app.errors import FieldError, ValidationError
from app.i18n import N_
from app.models import BooksContact, ContactType, Document, DocumentVersion, Kind, Transaction
from app.permissions import Principal

# The two sides of the search: what the organization issued to customers, and what it exchanged
# with vendors (purchase orders). Read from the kinds' registry, so a new kind falls in place.
DIRECTIONS = {
    "issued": N_("Issued to customers"),
    "purchases": N_("Exchanged with vendors"),
    "received": N_("Received files"),  # uploaded onto a document: a customer's order, a vendor's bill
}
PAGE_MAX = 100
COUNTERPARTY_MAX = 100

@dataclass(frozen=True)
class Criteria:
    direction: str = ""  # "", "issued" or "purchases"
    date_from: date | None = None
    date_to: date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    counterparty: str = ""
    kind: Kind | None = None

    def as_params(self) -> dict[str, str]:
        values = {"direction": self.direction, "date_from": self.date_from, "date_to": self.date_to,
                  "amount_min": self.amount_min, "amount_max": self.amount_max,
                  "counterparty": self.counterparty, "kind": self.kind.value if self.kind else ""}
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


def criteria(data: dict[str, Any]) -> Criteria:
    """Search criteria from untrusted input (a query string, GraphQL arguments); ValidationError
    names every field that cannot be read."""
    errors: list[FieldError] = []

    def clean(name: str, read: Any) -> Any:
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return read(value)
        except cleaning.Unclean as exc:
            errors.append(FieldError(name, exc.msgid, exc.params))
            return None

    def choice(options: Any) -> Any:
        def read(value: Any) -> Any:
            if str(value) not in options:
                raise cleaning.Unclean(N_("Choose one of the offered values."))
            return str(value)
        return read

    direction = clean("direction", choice(DIRECTIONS)) or ""
    kind = clean("kind", choice({k.value for k in Kind}))
    date_from, date_to = clean("date_from", cleaning.day), clean("date_to", cleaning.day)
    amount = lambda v: cleaning.column_decimal(DocumentVersion, "total", v)  # noqa: E731
    amount_min, amount_max = clean("amount_min", amount), clean("amount_max", amount)
    counterparty = cleaning.search(data.get("counterparty") or "")
    if len(counterparty) > COUNTERPARTY_MAX:
        errors.append(FieldError("counterparty", N_("Enter at most %(max)d characters."), {"max": COUNTERPARTY_MAX}))
    if date_from and date_to and date_from > date_to:
        errors.append(FieldError("date_to", N_("The end of the range comes before its start.")))
    if amount_min is not None and amount_max is not None and amount_min > amount_max:
        errors.append(FieldError("amount_max", N_("The end of the range comes before its start.")))
    if errors:
        raise ValidationError(errors)
    return Criteria(direction, date_from, date_to, amount_min, amount_max, counterparty,
                    Kind(kind) if kind else None)


def searchable_kinds(principal: Principal, direction: str = "") -> list[Kind]:
    """The kinds whose kept versions (or files) the principal may find: those of the Books modules
    they view."""
    wanted = {"issued": ContactType.CUSTOMER, "purchases": ContactType.VENDOR}.get(direction)
    return [k.kind for k in kinds.KINDS if principal.has(k.module, "view") and wanted in (None, k.party)]


def bounds(offset: Any, limit: Any) -> tuple[int, int]:
    """A page from untrusted numbers: `limit` 1..PAGE_MAX (default 50), `offset` from 0."""
    wanted = cleaning.index(limit, 10**9)
    return cleaning.index(offset, 100_000) or 0, min(max(wanted if wanted is not None else 50, 1), PAGE_MAX)


@dataclass(frozen=True)
class Found:
    versions: list[DocumentVersion]
    total: int
    offset: int
    limit: int


async def search(principal: Principal, found: Criteria, *, offset: Any = 0, limit: Any = 50) -> Found:
    """Kept versions of the principal's organizations, newest document date first."""
    offset, limit = bounds(offset, limit)
    allowed = _allowed(principal, found)
    if not allowed:
        return Found([], 0, offset, limit)
    qs = DocumentVersion.filter(organization_id__in=sorted(principal.organization_ids), kind__in=allowed)
    qs = _in_ranges(qs, found)
    if found.counterparty:
        qs = qs.filter(counterparty__icontains=found.counterparty)
    total = await qs.count()
    rows = await qs.order_by("-issue_date", "-id").offset(offset).limit(limit)
    return Found(rows, total, offset, limit)


def _in_ranges(qs: QuerySet, found: Criteria, prefix: str = "") -> QuerySet:
    """`qs` narrowed to the criteria's date and amount ranges (`prefix`: the path to the document's
    date and total, for files found through their document)."""
    for op, field, value in (("gte", "issue_date", found.date_from), ("lte", "issue_date", found.date_to),
                             ("gte", "total", found.amount_min), ("lte", "total", found.amount_max)):
        if value is not None and value != "":
            qs = qs.filter(**{f"{prefix}{field}__{op}": value})
    return qs


def _allowed(principal: Principal, found: Criteria) -> list[Kind]:
    """The kinds the search of kept versions may look at (none when received files are asked for)."""
    if found.direction == "received" or not principal.organization_ids:
        return []
    return [k for k in searchable_kinds(principal, found.direction) if found.kind in (None, k)]


@dataclass(frozen=True)
class ReceivedFile:
    """A file uploaded onto a document, found by that document's date, amount and counterparty."""

    document: Document
    transaction: Transaction
    counterparty: str


@dataclass(frozen=True)
class FoundFiles:
    files: list[ReceivedFile]
    total: int
    offset: int
    limit: int


async def search_received(principal: Principal, found: Criteria, *, offset: Any = 0, limit: Any = 50) -> FoundFiles:
    """Files attached to the documents the principal may see (their stored SHA-256 with them)."""
    offset, limit = bounds(offset, limit)
    allowed = [] if found.direction in ("issued", "purchases") or not principal.organization_ids else [
        k for k in searchable_kinds(principal) if found.kind in (None, k)]
    if not allowed:
        return FoundFiles([], 0, offset, limit)
    qs = Document.filter(organization_id__in=sorted(principal.organization_ids), transaction_id__isnull=False,
                         transaction__kind__in=allowed)
    qs = _in_ranges(qs, found, "transaction__")
    if found.counterparty:
        qs = qs.filter(Q(transaction__contact__display_name__icontains=found.counterparty)
                       | Q(transaction__contact__company_name__icontains=found.counterparty))
    total = await qs.count()
    docs = await qs.order_by("-created_at", "-id").offset(offset).limit(limit)
    txn_by_id = {t.id: t for t in await Transaction.filter(id__in=sorted({d.transaction_id for d in docs}))}
    names = {c.id: c.company_name or c.display_name for c in await BooksContact.filter(
        id__in=sorted({t.contact_id for t in txn_by_id.values()}))}
    files = [ReceivedFile(d, txn_by_id[d.transaction_id], names.get(txn_by_id[d.transaction_id].contact_id, ""))
             for d in docs]
    return FoundFiles(files, total, offset, limit)
