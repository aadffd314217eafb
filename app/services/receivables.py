"""Receivables per customer: invoiced, paid, credited (credit notes applied), outstanding,
overdue, and aging buckets by days past the due date (current, 1-30, 31-60, 61-90, over 90).
Drafts, void invoices and invoices for nothing (a total of zero, paid as they are sent) do not
count. The credit of open credit notes not yet applied nor refunded (`credit`) reduces what the
customer owes (`net`).

A row is a customer and a currency: the amounts are in the documents' currency, each with its yen
equivalent at every document's own exchange rate (app.money.to_yen), so reports can total in yen.
A foreign document saved before rates were kept has no yen equivalent: `yen_complete` is False."""

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
    # The same amounts in yen (equal to the above for yen rows).
    invoiced_jpy: Decimal = Decimal(0)
    paid_jpy: Decimal = Decimal(0)
    credited_jpy: Decimal = Decimal(0)
    outstanding_jpy: Decimal = Decimal(0)
    overdue_jpy: Decimal = Decimal(0)
    credit_jpy: Decimal = Decimal(0)
    aging_jpy: dict[str, Decimal] = field(default_factory=lambda: {b: Decimal(0) for b in BUCKETS})
    yen_complete: bool = True

    @property
    def in_yen(self) -> bool:
        return self.currency == BASE_CURRENCY

    @property
    def net(self) -> Decimal:
        """What the customer owes once their unapplied credit is counted (negative: we owe them)."""
        return self.outstanding - self.credit

    @property
    def net_jpy(self) -> Decimal:
        return self.outstanding_jpy - self.credit_jpy

    def count(self, name: str, amount: Decimal, yen: Decimal) -> None:
        setattr(self, name, getattr(self, name) + amount)
        setattr(self, f"{name}_jpy", getattr(self, f"{name}_jpy") + yen)

    def add(self, other: "CustomerReceivables") -> None:
        """Add `other`'s amounts (of the same currency) and its yen equivalents."""
        for name in AMOUNTS:
            self.count(name, getattr(other, name), getattr(other, f"{name}_jpy"))
        for bucket in BUCKETS:
            self.aging[bucket] += other.aging[bucket]
            self.aging_jpy[bucket] += other.aging_jpy[bucket]
        self.yen_complete = self.yen_complete and other.yen_complete


AMOUNTS = ("invoiced", "paid", "credited", "outstanding", "overdue", "credit")  # `net` is derived


def yen_total(rows: Iterable[CustomerReceivables]) -> CustomerReceivables:
    """Every row's yen equivalents added up: the receivables' total in yen."""
    total = CustomerReceivables(0, "", BASE_CURRENCY)
    for row in rows:
        for name in AMOUNTS:
            yen = getattr(row, f"{name}_jpy")
            total.count(name, yen, yen)
        for bucket in BUCKETS:
            total.aging[bucket] += row.aging_jpy[bucket]
            total.aging_jpy[bucket] += row.aging_jpy[bucket]
        total.yen_complete = total.yen_complete and row.yen_complete
    return total


async def summary(principal: Principal, today: date, organization_id: int | None = None,
                  contact_id: int | None = None, contact_ids: Iterable[int] | None = None
                  ) -> list[CustomerReceivables]:
    """One row per customer and currency with counted invoices or open credit, in the
    organization(s) the user belongs to (only `contact_id`'s, or those of `contact_ids`, when given)."""
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
        "contact_id", "currency", "exchange_rate", "total", "amount_paid", "credit_applied", "balance", "due_date")
    credits = await narrowed(Transaction.filter(
        kind=Kind.CREDIT_NOTE, status__in=OPEN_CREDIT, organization_id__in=org_ids, balance__gt=0)).values_list(
        "contact_id", "currency", "exchange_rate", "balance")
    names = dict(await BooksContact.filter(
        id__in={r[0] for r in rows} | {c[0] for c in credits}).values_list("id", "display_name"))
    result: dict[tuple[int, str], CustomerReceivables] = {}

    def row_of(contact: int, currency: str) -> CustomerReceivables:
        return result.setdefault((contact, currency), CustomerReceivables(contact, names[contact], currency))

    for contact, currency, fx, total, paid, credited, balance, due in rows:
        row = row_of(contact, currency)
        yen = [to_yen(amount, currency, fx) for amount in (total, paid, credited, balance)]
        if None in yen:
            row.yen_complete, yen = False, [Decimal(0)] * 4
        row.count("invoiced", total, yen[0])
        row.count("paid", paid, yen[1])
        row.count("credited", credited, yen[2])
        row.count("outstanding", balance, yen[3])
        if balance > 0:
            bucket = bucket_of(due, today)
            row.aging[bucket] += balance
            row.aging_jpy[bucket] += yen[3]
            if bucket != "current":
                row.count("overdue", balance, yen[3])
    for contact, currency, fx, balance in credits:
        row = row_of(contact, currency)
        yen = to_yen(balance, currency, fx)
        if yen is None:
            row.yen_complete, yen = False, Decimal(0)
        row.count("credit", balance, yen)
    # most owed first, in yen (amounts in different currencies compare by their yen equivalents)
    return sorted(result.values(), key=lambda r: (-r.outstanding_jpy, -r.outstanding, r.name, r.currency))
