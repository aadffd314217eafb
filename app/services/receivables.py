"""Receivables per customer: invoiced, paid, credited (credit notes applied), outstanding,
overdue, and aging buckets by days past the due date (current, 1-30, 31-60, 61-90, over 90).
Drafts, void invoices and invoices for nothing (a total of zero, paid as they are sent) do not
count. The credit of open credit notes not yet applied nor refunded (`credit`) reduces what the
customer owes (`net`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.models import BooksContact, Kind, Status, Transaction
from app.permissions import Principal, require

BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90")
COUNTED = (Status.SENT, Status.VIEWED, Status.PARTIALLY_PAID, Status.PAID)
OPEN_CREDIT = (Status.SENT, Status.VIEWED)


def bucket_of(due: date | None, today: date) -> str:
    late = (today - due).days if due else 0
    if late <= 0:
        return "current"
    if late <= 30:
        return "days_1_30"
    if late <= 60:
        return "days_31_60"
    if late <= 90:
        return "days_61_90"
    return "days_over_90"


@dataclass
class CustomerReceivables:
    contact_id: int
    name: str
    currency: str
    invoiced: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    credited: Decimal = Decimal(0)  # credit notes applied to the invoices
    outstanding: Decimal = Decimal(0)
    overdue: Decimal = Decimal(0)
    credit: Decimal = Decimal(0)  # open credit notes' remaining credit
    aging: dict[str, Decimal] = field(default_factory=lambda: {b: Decimal(0) for b in BUCKETS})

    @property
    def net(self) -> Decimal:
        """What the customer owes once their unapplied credit is counted (negative: we owe them)."""
        return self.outstanding - self.credit


async def summary(principal: Principal, today: date, organization_id: int | None = None,
                  contact_id: int | None = None, contact_ids: Iterable[int] | None = None
                  ) -> list[CustomerReceivables]:
    """One row per customer with counted invoices, in the organization(s) the user belongs to
    (only `contact_id`'s, or those of `contact_ids`, when given)."""
    require(principal, "view", "receivables")
    org_ids = sorted(principal.organization_ids)
    if organization_id is not None:
        org_ids = [organization_id] if organization_id in principal.organization_ids else []
    def narrowed(qs):
        if contact_id is not None:
            qs = qs.filter(contact_id=contact_id)
        if contact_ids is not None:
            qs = qs.filter(contact_id__in=sorted(set(contact_ids)))
        return qs

    rows = await narrowed(Transaction.filter(
        kind=Kind.INVOICE, status__in=COUNTED, organization_id__in=org_ids, total__gt=0)).values_list(
        "contact_id", "total", "amount_paid", "credit_applied", "balance", "due_date")
    credits = await narrowed(Transaction.filter(
        kind=Kind.CREDIT_NOTE, status__in=OPEN_CREDIT, organization_id__in=org_ids, balance__gt=0)).values_list(
        "contact_id", "balance")
    contacts = {cid: (name, currency) for cid, name, currency in await BooksContact.filter(
        id__in={r[0] for r in rows} | {c[0] for c in credits}).values_list("id", "display_name", "currency")}
    result: dict[int, CustomerReceivables] = {}
    for contact, total, paid, credited, balance, due in rows:
        row = result.setdefault(contact, CustomerReceivables(contact, *contacts[contact]))
        row.invoiced += total
        row.paid += paid
        row.credited += credited
        row.outstanding += balance
        if balance > 0:
            bucket = bucket_of(due, today)
            row.aging[bucket] += balance
            if bucket != "current":
                row.overdue += balance
    for contact, balance in credits:
        result.setdefault(contact, CustomerReceivables(contact, *contacts[contact])).credit += balance
    return sorted(result.values(), key=lambda r: (-r.outstanding, r.name))
