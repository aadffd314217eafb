"""Consolidated monthly invoices (合算請求書): one invoice for the unbilled lines of a customer's
confirmed sales orders delivered in a closing period (10/21-11/20 for 20日締め), each order
listed on it with the delivery dates of the lines it bills.

The period comes from the customer's payment terms (the organization's when it has none;
net terms close at month ends): app.services.payment_terms. A line belongs to the period its
delivery date falls in (its own 納品日, else the order's delivery date, else the order date:
app.services.billing.delivered_on). The invoice bills those lines, each labelled with its
order, in one database transaction that locks the orders: a second run, or one racing it,
finds the lines billed (`billed_line`) and bills nothing. An order with lines delivered later
stays confirmed, partly invoiced, until they are billed. The closing period is the invoice's
transaction period (取引年月日 `transaction_date` .. `transaction_date_end`).

Each order's document discount comes along as 値引 lines carrying the share of the lines billed
(app.services.billing.plan). The invoice takes the orders' pricing: orders whose prices include
tax (内税) make a 内税 invoice, and orders that differ in pricing or currency are refused together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from app import cleaning, kinds
from app.errors import FieldError, NotFound, ValidationError
from app.formatting import format_day
from app.i18n import N_
from app.models import BooksContact, ContactType, Kind, Organization, Status, Transaction, TransactionLine
from app.permissions import Principal, require, restrict
from app.services import billing, history, payment_terms, tax
from app.services import transactions as txns
from app.services.document_input import Problems

PERIODS_OFFERED = 12  # the closing periods the form offers, newest first
FIELDS = {"contact_id", "period_end", "issue_date", "exchange_rate", "exchange_rate_date"}


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def key(self) -> str:
        return self.end.isoformat()


@dataclass
class Preview:
    """What a consolidated invoice of `contact` for `period` would bill."""

    contact: BooksContact
    terms: payment_terms.Terms
    period: Period
    orders: list[Transaction]
    lines: dict[int, list[TransactionLine]]  # by order id: the lines billed
    due_date: date
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    delivered: dict[int, date] = field(default_factory=dict)  # by line id
    left: dict[int, int] = field(default_factory=dict)  # by order id: unbilled lines left for another period
    planned: list[billing.Billed] = field(default_factory=list)  # the invoice's lines, in order
    inclusive: bool = False  # the orders' prices include tax (内税): so do the invoice's

    @property
    def discounts(self) -> dict[int, list[billing.Billed]]:
        """By order id: the lines carrying its document discount's share (billing.plan)."""
        found: dict[int, list[billing.Billed]] = {}
        for b in self.planned:
            if b.line is None:
                found.setdefault(b.order.id, []).append(b)
        return found


async def customer(principal: Principal, contact_id: Any) -> BooksContact:
    """A customer of one of the principal's organizations; NotFound otherwise."""
    pk = cleaning.pk(contact_id)
    contact = None if pk is None else await BooksContact.get_or_none(
        id=pk, organization_id__in=sorted(principal.organization_ids), contact_type=ContactType.CUSTOMER)
    if contact is None:
        raise NotFound()
    require(principal, "view", contact)
    return contact


async def terms_of(contact: BooksContact) -> payment_terms.Terms:
    """The customer's terms, the organization's when it has none."""
    org = await Organization.get(id=contact.organization_id)
    return payment_terms.effective(contact.payment_terms, org.payment_terms)


def periods(terms: payment_terms.Terms, today: date, count: int = PERIODS_OFFERED) -> list[Period]:
    """The closing period `today` falls in and those before it, newest first."""
    return [Period(*p) for p in payment_terms.previous_periods(terms, today, count)]


def period_ending(terms: payment_terms.Terms, value: Any) -> Period:
    """The closing period that ends on `value` (a closing date of the terms)."""
    try:
        end = cleaning.day(value) if value not in (None, "") else None
    except cleaning.Unclean as problem:
        raise ValidationError.single("period_end", problem.msgid, **problem.params) from None
    if end is None:
        raise ValidationError.single("period_end", N_("This field is required."))
    start, closing = payment_terms.period(terms, end)
    if closing != end:
        raise ValidationError.single("period_end", N_("Choose a closing date of the customer’s payment terms."))
    return Period(start, end)


def _candidates(principal: Principal, contact: BooksContact, period: Period):
    """The customer's confirmed orders: those with unbilled lines (delivery dates are per line)."""
    orders = Transaction.filter(
        kind=Kind.SALES_ORDER, organization_id=contact.organization_id, contact_id=contact.id,
        status=Status.CONFIRMED)
    return restrict(orders, principal, "view", module=txns.module(Kind.SALES_ORDER))


async def _in_period(orders: list[Transaction], period: Period,
                     left: dict[int, int] | None = None) -> tuple[list[Transaction], dict[int, list[TransactionLine]]]:
    """The orders with unbilled lines delivered in the period, and those lines; `left` gets the
    count of each such order's other unbilled lines."""
    unbilled = await billing.unbilled_lines([o.id for o in orders])
    lines = {o.id: [line for line in unbilled[o.id] if period.start <= billing.delivered_on(line, o) <= period.end]
             for o in orders}
    kept = [o for o in orders if lines[o.id]]
    if left is not None:
        left.update({o.id: len(unbilled[o.id]) - len(lines[o.id]) for o in kept})
    return kept, {o.id: lines[o.id] for o in kept}


async def preview(principal: Principal, contact_id: Any, period_end: Any, issue_date: Any = None) -> Preview:
    """The orders a consolidated invoice would bill now, with their lines and totals."""
    require(principal, "create_edit", txns.module(Kind.INVOICE))
    contact = await customer(principal, contact_id)
    org = await Organization.get(id=contact.organization_id)
    terms = payment_terms.effective(contact.payment_terms, org.payment_terms)
    period = period_ending(terms, period_end)
    left: dict[int, int] = {}
    orders, lines = await _in_period(
        await _candidates(principal, contact, period).order_by("issue_date", "id"), period, left)
    shown = await _preview(contact, terms, period, orders, lines, _issue(principal, period, issue_date), org)
    shown.left = left
    return shown


def _issue(principal: Principal, period: Period, value: Any) -> date:
    """The invoice's date: as entered, else the closing date (the customary 請求日), never
    after today."""
    if value not in (None, ""):
        try:
            return cleaning.day(value)
        except cleaning.Unclean as problem:
            raise ValidationError.single("issue_date", problem.msgid, **problem.params) from None
    return min(period.end, txns.today_in(principal))


MIXED = N_("The sales orders of this period differ in currency or in tax-inclusive pricing (%(orders)s): "
           "convert them into invoices one by one.")


def _inclusive(contact: BooksContact, orders: list[Transaction]) -> bool:
    """Whether the orders' prices include tax (内税), as the invoice's will: they must all agree,
    and be in the customer's currency (the invoice's); a field error otherwise."""
    pricing = {o.prices_include_tax for o in orders}
    if len(pricing) > 1 or any(o.currency != contact.currency for o in orders):
        raise ValidationError.single("period_end", MIXED, orders=", ".join(o.number for o in orders))
    return pricing == {True}


async def _preview(contact: BooksContact, terms: payment_terms.Terms, period: Period, orders: list[Transaction],
                   lines: dict[int, list[TransactionLine]], issued: date, org: Organization) -> Preview:
    inclusive = _inclusive(contact, orders)
    planned = await billing.plan(orders, lines, org.language, labelled=True)
    problems = Problems()
    totals = txns.price_problems([b.row for b in planned], contact.currency,
                                 tax.Pricing(rounding=org.tax_rounding.value, inclusive=inclusive), problems)
    if totals is None:  # e.g. a discount line delivered in a period apart from what it discounts
        raise ValidationError([FieldError("period_end", e.msgid, e.params) for e in problems.errors])
    # Due by the terms from the period's closing date (the transaction date); an invoice issued
    # later than that is due no earlier than its own date gives.
    due = payment_terms.due_date(terms, period.end)
    if due < issued:
        due = payment_terms.due_date(terms, issued)
    return Preview(contact=contact, terms=terms, period=period, orders=orders, lines=lines, due_date=due,
                   subtotal=totals.subtotal, tax_total=totals.tax, total=totals.total, planned=planned,
                   inclusive=inclusive,
                   delivered={line.id: billing.delivered_on(line, o) for o in orders for line in lines[o.id]})


async def create(principal: Principal, data: dict[str, Any]) -> Transaction:
    """The consolidated invoice of `contact_id` for the period ending `period_end`."""
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        raise ValidationError.single(unknown[0], N_("Unknown field."))
    require(principal, "create_edit", txns.module(Kind.INVOICE))
    contact = await customer(principal, data.get("contact_id"))
    org = await Organization.get(id=contact.organization_id)
    if not kinds.of(Kind.SALES_ORDER).exists_in(org):
        raise ValidationError.single("contact_id", kinds.BOOKS_EDITION_ONLY)
    terms = payment_terms.effective(contact.payment_terms, org.payment_terms)
    period = period_ending(terms, data.get("period_end"))
    issued = _issue(principal, period, data.get("issue_date"))
    async with in_transaction():
        # Locked, then read again: what another run billed meanwhile is not billed twice.
        ids = await _candidates(principal, contact, period).values_list("id", flat=True)
        orders = await Transaction.filter(id__in=list(ids)).select_for_update().order_by("issue_date", "id")
        orders, lines = await _in_period([o for o in orders if o.status == Status.CONFIRMED], period)
        if not orders:
            raise ValidationError.single(
                "period_end", N_("This customer has no confirmed sales orders to invoice in this period."))
        shown = await _preview(contact, terms, period, orders, lines, issued, org)
        count = len(shown.planned)
        if count > txns.MAX_LINES:
            raise ValidationError.single(
                "period_end", N_("These orders have %(count)d lines; an invoice takes at most %(max)d."),
                count=count, max=txns.MAX_LINES)
        invoice = await txns.create(principal, Kind.INVOICE, {
            "organization_id": org.id, "contact_id": contact.id, "issue_date": issued,
            "due_date": shown.due_date, "payment_terms": terms.code,
            # the closing period is the invoice's transaction period (取引年月日), printed as such
            "transaction_date": period.start.isoformat(), "transaction_date_end": period.end.isoformat(),
            "lines": [b.row for b in shown.planned], "prices_include_tax": shown.inclusive,
            # a foreign-currency invoice's rate to the yen, as for any invoice (required there)
            **{k: data[k] for k in txns.EXCHANGE_FIELDS if k in data},
        })
        await billing.bill(invoice, shown.planned)
        for order in orders:
            await history.record(order, "converted", N_("Billed on the consolidated invoice %(number)s."),
                                 principal.user, number=invoice.number)
        await history.record(invoice, "created", N_("Consolidated invoice of %(count)s sales orders."),
                             principal.user, count=len(orders))
    return invoice


async def orders_billed_by(invoice: Transaction) -> list[Transaction]:
    """The sales orders a consolidated invoice billed, by order date."""
    return await billing.orders_billed_by(invoice)


def sources_text(sources: list[billing.Source], lang: str) -> str:
    """The orders as the PDF lists them, one a line: the number, then the delivery dates of the
    lines billed (the period is the invoice's transaction period, printed with its dates)."""
    sep = "、" if lang.startswith("ja") else "; "
    return "\n".join(f"{s.order.number}  " + sep.join(format_day(d, lang) for d in s.delivery_dates)
                     for s in sources)
