"""Line-level billing of sales orders: which lines of an order an invoice billed, so none is
billed twice.

A sales-order line may carry its own delivery date (納品日); a line without one is delivered on
the order's delivery date (its `due_date`), else on its order date (`issue_date`): `delivered_on`.
Billing an order's lines (a consolidated invoice of a closing period, app.services.consolidation,
or the order converted into an invoice, app.services.workflow.convert) records on each order line
the invoice line that bills it (`billed_line`) and on that invoice line its order
(`source_order`) and delivery date. An order is `invoiced` once every line is billed and stays
`confirmed` (partly invoiced) until then; its `billed_by` names the invoice that billed it last.
Voiding an invoice releases exactly the lines it billed; their orders are confirmed again.
An order's document discount goes with its lines: kept whole when the order is billed at once,
else carried by 値引 lines per tax category with the share of the lines billed (`plan`).

Callers hold the orders locked in their database transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from app.errors import InvalidTransition
from app.i18n import N_, gettext
from app.models import Kind, Status, TaxCategory, Transaction, TransactionLine
from app.services import history, tax
from app.services.document_input import DESCRIPTION_MAX


def delivered_on(line: TransactionLine, order: Transaction) -> date:
    """The day a sales-order line counts as delivered."""
    return line.delivery_date or order.due_date or order.issue_date


async def unbilled_lines(order_ids: list[int]) -> dict[int, list[TransactionLine]]:
    """The lines of each order no invoice bills yet, in order (every order id is a key)."""
    found: dict[int, list[TransactionLine]] = {pk: [] for pk in order_ids}
    if order_ids:
        for line in await TransactionLine.filter(transaction_id__in=order_ids, billed_line_id=None).order_by(
                "transaction_id", "position", "id"):
            found[line.transaction_id].append(line)
    return found


DISCOUNT_LABEL = N_("%(number)s discount")  # the share of an order's document discount on an invoice


@dataclass(frozen=True)
class Billed:
    """A line of an invoice billing sales orders: an order line, or (`line` None) the share of the
    order's document discount that goes with the lines billed, in one tax category (値引)."""

    order: Transaction
    line: TransactionLine | None
    row: dict[str, Any]


async def plan(orders: list[Transaction], lines: dict[int, list[TransactionLine]], lang: str, *,
               labelled: bool, discounts: bool = True) -> list[Billed]:
    """The invoice lines billing `lines` of `orders` (by order id), in order: each order's lines,
    with the order's number before their descriptions when `labelled` (a consolidated invoice
    lists several orders), then, when `discounts`, the share of the order's document discount
    that goes with them: one discount line per tax category, so the parts an order is billed in
    add up to its discount exactly (tax.billed_share). An order's lines keep its pricing (内税
    or 外税): the caller bills orders of one pricing together."""
    from app.services import transactions as txns

    shares = await _discount_shares([o for o in orders if o.discount_value], lines) if discounts else {}
    planned: list[Billed] = []
    for order in orders:
        for line, row in zip(lines[order.id], txns.line_data(lines[order.id])):
            if labelled:
                row["description"] = f"{order.number} {row['description']}"[:DESCRIPTION_MAX]
            row["delivery_date"] = delivered_on(line, order)
            planned.append(Billed(order, line, row))
        label = gettext(lang, DISCOUNT_LABEL) % {"number": order.number}
        for category, share in shares.get(order.id, []):
            planned.append(Billed(order, None, {
                "item_id": None, "description": label, "quantity": Decimal(1), "unit": "", "rate": -share,
                "discount": Decimal(0), "tax_rate": tax.CATEGORY_RATES[category], "tax_category": category,
                "delivery_date": None}))
    return planned


async def _discount_shares(orders: list[Transaction], lines: dict[int, list[TransactionLine]]
                           ) -> dict[int, list[tuple[TaxCategory, Decimal]]]:
    """By order id, the share of each order's document discount per tax category that goes with
    `lines` of it, given what other invoices billed of it already."""
    if not orders:
        return {}
    every: dict[int, list[TransactionLine]] = {o.id: [] for o in orders}
    for line in await TransactionLine.filter(transaction_id__in=list(every)).order_by("position", "id"):
        every[line.transaction_id].append(line)
    found: dict[int, list[tuple[TaxCategory, Decimal]]] = {}
    for order in orders:
        now = {line.id for line in lines[order.id]}
        pricing = tax.Pricing(rounding=order.tax_rounding, inclusive=order.prices_include_tax,
                              discount_type=order.discount_type, discount_value=order.discount_value)
        result = tax.totals(((line.amount, line.tax_category) for line in every[order.id]), order.currency, pricing)
        for rate in result.rates:
            if not rate.discount:
                continue
            own = [line for line in every[order.id] if line.tax_category == rate.category]
            whole = sum((line.amount for line in own), Decimal(0))
            before = sum((line.amount for line in own if line.billed_line_id and line.id not in now), Decimal(0))
            after = before + sum((line.amount for line in own if line.id in now), Decimal(0))
            share = tax.billed_share(rate.discount, whole, before, after, order.currency)
            if share:
                found.setdefault(order.id, []).append((rate.category, share))
    return found


async def bill(invoice: Transaction, planned: list[Billed]) -> None:
    """Record that `invoice`, made of the `planned` lines in that order (from position 1), bills
    them; each order becomes invoiced when nothing is left."""
    invoice_lines = await TransactionLine.filter(transaction_id=invoice.id).order_by("position", "id")
    for target, billed in zip(invoice_lines, planned, strict=True):
        if billed.line is not None:
            await TransactionLine.filter(id=billed.line.id).update(billed_line_id=target.id)
        await TransactionLine.filter(id=target.id).update(
            source_order_id=billed.order.id, delivery_date=billed.row["delivery_date"])
    orders = list({b.order.id: b.order for b in planned})
    await _restate(orders, billed_by=invoice.id)


async def release(invoice: Transaction, user: Any) -> list[Transaction]:
    """A voided invoice gives back the order lines it billed, to be billed again; their orders are
    confirmed again. Called inside the voiding transaction (app.services.workflow.step)."""
    ids = await TransactionLine.filter(transaction_id=invoice.id).values_list("id", flat=True)
    order_ids = sorted(set(await TransactionLine.filter(billed_line_id__in=list(ids)).values_list(
        "transaction_id", flat=True))) if ids else []
    if not order_ids:
        return []
    orders = await Transaction.filter(id__in=order_ids).select_for_update().order_by("issue_date", "id")
    await TransactionLine.filter(transaction_id__in=order_ids, billed_line_id__in=list(ids)).update(billed_line_id=None)
    await _restate(order_ids)
    for order in orders:
        await history.record(order, "released", N_("To invoice again: the invoice %(number)s was voided."),
                             user, number=invoice.number)
    return orders


async def _restate(order_ids: list[int], billed_by: int | None = None) -> None:
    """Each order's status and `billed_by` from its lines: invoiced when every line is billed."""
    for order_id in order_ids:
        lines = await TransactionLine.filter(transaction_id=order_id).values_list("billed_line_id", flat=True)
        billed = [pk for pk in lines if pk is not None]
        status = Status.INVOICED if lines and len(billed) == len(lines) else Status.CONFIRMED
        last = billed_by
        if last is None and billed:
            last = (await TransactionLine.filter(id__in=billed).order_by("-transaction_id").first()).transaction_id
        await Transaction.filter(id=order_id).update(status=status, billed_by_id=last)


def refuse_if_billed(order: Transaction, lines: list[TransactionLine]) -> None:
    """A partly invoiced order cannot be voided: the invoice holds its lines."""
    if order.kind == Kind.SALES_ORDER and any(line.billed_line_id for line in lines):
        raise InvalidTransition(N_("Part of this sales order is invoiced: void that invoice first."))


_COMPARED = ("item_id", "description", "quantity", "unit", "rate", "discount", "tax_category", "delivery_date")


def kept_lines(txn: Transaction, lines: list[TransactionLine], rows: list[dict[str, Any]]) -> bool:
    """An edit of a document whose lines are linked by billing (an order's billed lines, an
    invoice's lines billing orders): True when it posts the same lines, kept as they are (the
    header may change); InvalidTransition when it changes them. False when nothing is linked."""
    linked = any(line.billed_line_id for line in lines) if txn.kind == Kind.SALES_ORDER else (
        txn.kind == Kind.INVOICE and any(line.source_order_id for line in lines))
    if not linked:
        return False
    same = len(lines) == len(rows) and all(
        getattr(line, name) == row.get(name) for line, row in zip(lines, rows) for name in _COMPARED)
    if same:
        return True
    if txn.kind == Kind.SALES_ORDER:
        raise InvalidTransition(N_("Part of this sales order is invoiced: its lines can no longer be edited."))
    raise InvalidTransition(N_("This invoice bills sales-order lines: its lines can no longer be edited "
                               "(void it to bill them again)."))


@dataclass(frozen=True)
class LineBilling:
    """An order line and the invoice that bills it (None: not billed yet)."""

    line: TransactionLine
    delivered: date
    invoice: Transaction | None


async def of_order(order: Transaction) -> list[LineBilling]:
    """Every line of a sales order with its delivery date and the invoice billing it."""
    lines = await TransactionLine.filter(transaction_id=order.id).order_by("position", "id")
    targets = {pk: tid for pk, tid in await TransactionLine.filter(
        id__in=[line.billed_line_id for line in lines if line.billed_line_id]).values_list("id", "transaction_id")}
    invoices = {t.id: t for t in await Transaction.filter(id__in=sorted(set(targets.values())))} if targets else {}
    return [LineBilling(line, delivered_on(line, order),
                        invoices.get(targets.get(line.billed_line_id))) for line in lines]


async def partly_billed(orders: list[Transaction]) -> set[int]:
    """Of these sales orders, those partly invoiced (confirmed, with lines billed): one query."""
    confirmed = [o.id for o in orders if o.kind == Kind.SALES_ORDER and o.status == Status.CONFIRMED]
    if not confirmed:
        return set()
    return set(await TransactionLine.filter(transaction_id__in=confirmed, billed_line_id__isnull=False)
               .values_list("transaction_id", flat=True))


def is_partly_billed(billing: list[LineBilling]) -> bool:
    billed = sum(1 for b in billing if b.invoice is not None)
    return 0 < billed < len(billing)


@dataclass(frozen=True)
class Source:
    """An order an invoice bills, with the delivery dates of the lines it bills."""

    order: Transaction
    delivery_dates: tuple[date, ...]


async def sources_of(invoice: Transaction) -> list[Source]:
    """The sales orders `invoice` bills, by order date, each with its lines' delivery dates."""
    rows = await TransactionLine.filter(transaction_id=invoice.id, source_order_id__isnull=False).values_list(
        "source_order_id", "delivery_date")
    days: dict[int, set[date]] = {}
    for order_id, day in rows:
        days.setdefault(order_id, set()).update([day] if day else [])
    orders = await Transaction.filter(id__in=sorted(days)).order_by("issue_date", "id") if days else []
    return [Source(o, tuple(sorted(days[o.id]))) for o in orders]


async def orders_billed_by(invoice: Transaction) -> list[Transaction]:
    """The sales orders whose lines `invoice` bills, by order date."""
    return [s.order for s in await sources_of(invoice)]
