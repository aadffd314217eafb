"""Receivables per customer: invoiced, paid, outstanding, overdue, and aging buckets by days
past the due date (current, 1-30, 31-60, 61-90, over 90). Drafts, void invoices and invoices
for nothing (a total of zero, paid as they are sent) do not count.

A row is a customer and a currency: the amounts are in the invoices' currency, each with its yen
equivalent at every invoice's own exchange rate (app.money.to_yen), so reports can total in yen.
A foreign invoice saved before rates were kept has no yen equivalent: `yen_complete` is False."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.models import BooksContact, Kind, Status, Transaction
from app.money import BASE_CURRENCY, to_yen
from app.permissions import Principal, require

BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90")
COUNTED = (Status.SENT, Status.VIEWED, Status.PARTIALLY_PAID, Status.PAID)


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
    outstanding: Decimal = Decimal(0)
    overdue: Decimal = Decimal(0)
    aging: dict[str, Decimal] = field(default_factory=lambda: {b: Decimal(0) for b in BUCKETS})
    # The same amounts in yen (equal to the above for yen rows).
    invoiced_jpy: Decimal = Decimal(0)
    paid_jpy: Decimal = Decimal(0)
    outstanding_jpy: Decimal = Decimal(0)
    overdue_jpy: Decimal = Decimal(0)
    aging_jpy: dict[str, Decimal] = field(default_factory=lambda: {b: Decimal(0) for b in BUCKETS})
    yen_complete: bool = True

    @property
    def in_yen(self) -> bool:
        return self.currency == BASE_CURRENCY

    def add(self, other: "CustomerReceivables") -> None:
        """Add `other`'s amounts (of the same currency) and its yen equivalents."""
        for name in ("invoiced", "paid", "outstanding", "overdue"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
            setattr(self, f"{name}_jpy", getattr(self, f"{name}_jpy") + getattr(other, f"{name}_jpy"))
        for bucket in BUCKETS:
            self.aging[bucket] += other.aging[bucket]
            self.aging_jpy[bucket] += other.aging_jpy[bucket]
        self.yen_complete = self.yen_complete and other.yen_complete


def yen_total(rows: Iterable[CustomerReceivables]) -> CustomerReceivables:
    """Every row's yen equivalents added up: the receivables' total in yen."""
    total = CustomerReceivables(0, "", BASE_CURRENCY)
    for row in rows:
        for name in ("invoiced", "paid", "outstanding", "overdue"):
            value = getattr(total, f"{name}_jpy") + getattr(row, f"{name}_jpy")
            setattr(total, name, value)
            setattr(total, f"{name}_jpy", value)
        for bucket in BUCKETS:
            total.aging[bucket] += row.aging_jpy[bucket]
            total.aging_jpy[bucket] += row.aging_jpy[bucket]
        total.yen_complete = total.yen_complete and row.yen_complete
    return total


async def summary(principal: Principal, today: date, organization_id: int | None = None,
                  contact_id: int | None = None, contact_ids: Iterable[int] | None = None
                  ) -> list[CustomerReceivables]:
    """One row per customer with counted invoices, in the organization(s) the user belongs to
    (only `contact_id`'s, or those of `contact_ids`, when given)."""
    require(principal, "view", "receivables")
    org_ids = sorted(principal.organization_ids)
    if organization_id is not None:
        org_ids = [organization_id] if organization_id in principal.organization_ids else []
    qs = Transaction.filter(kind=Kind.INVOICE, status__in=COUNTED, organization_id__in=org_ids, total__gt=0)
    if contact_id is not None:
        qs = qs.filter(contact_id=contact_id)
    if contact_ids is not None:
        qs = qs.filter(contact_id__in=sorted(set(contact_ids)))
    rows = await qs.values_list("contact_id", "currency", "exchange_rate", "total", "amount_paid", "balance",
                                "due_date")
    names = dict(await BooksContact.filter(id__in={r[0] for r in rows}).values_list("id", "display_name"))
    result: dict[tuple[int, str], CustomerReceivables] = {}
    for contact, currency, fx, total, paid, balance, due in rows:
        row = result.setdefault((contact, currency), CustomerReceivables(contact, names[contact], currency))
        yen = [to_yen(amount, currency, fx) for amount in (total, paid, balance)]
        if None in yen:
            row.yen_complete, yen = False, [Decimal(0)] * 3
        row.invoiced += total
        row.paid += paid
        row.outstanding += balance
        row.invoiced_jpy += yen[0]
        row.paid_jpy += yen[1]
        row.outstanding_jpy += yen[2]
        if balance > 0:
            bucket = bucket_of(due, today)
            row.aging[bucket] += balance
            row.aging_jpy[bucket] += yen[2]
            if bucket != "current":
                row.overdue += balance
                row.overdue_jpy += yen[2]
    # most owed first, in yen (amounts in different currencies compare by their yen equivalents)
    return sorted(result.values(), key=lambda r: (-r.outstanding_jpy, -r.outstanding, r.name, r.currency))
