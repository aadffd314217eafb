"""Status machines of the four transaction kinds, with refused transitions explained.

    estimate        draft -> sent -> viewed -> accepted | declined; void; converted (to a sales
                    order or an invoice, linked both ways); `expired` once past the expiry date
    sales order     draft -> confirmed -> invoiced (once an invoice bills every line:
                    app.services.billing; confirmed while partly invoiced) | void
    invoice         draft -> sent -> viewed -> partially paid -> paid (app.services.payments);
                    `overdue` once past the due date with a balance; void, refused while
                    payments exist
    purchase order  draft -> sent -> closed | void
    credit note     draft -> sent -> viewed (open) -> closed, once its credit is applied or
                    refunded (app.services.credit_applications); void, refused while credit is used

`expired` and `overdue` are derived from dates (`display_status`), never stored.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from app import kinds
from app.errors import InvalidTransition
from app.i18n import N_, Day, Msgid
from app.models import Kind, Organization, Payment, Status, Transaction, TransactionLine, User
from app.money import needs_rate
from app.permissions import Principal, require
from app.services import billing, history, payments
from app.services import transactions as txns
from app.services.transactions import KIND_LABELS, STATUS_LABELS

E, SO, INV, PO = Kind.ESTIMATE, Kind.SALES_ORDER, Kind.INVOICE, Kind.PURCHASE_ORDER
CN = Kind.CREDIT_NOTE

# action -> kind -> statuses it may start from
ALLOWED: dict[str, dict[Kind, set[Status]]] = {
    "mark_sent": {E: {Status.DRAFT}, INV: {Status.DRAFT}, PO: {Status.DRAFT}, CN: {Status.DRAFT}},
    "mark_viewed": {E: {Status.SENT}, INV: {Status.SENT}, CN: {Status.SENT}},
    "accept": {E: {Status.SENT, Status.VIEWED}},
    "decline": {E: {Status.SENT, Status.VIEWED}},
    "confirm": {SO: {Status.DRAFT}},
    "close": {PO: {Status.SENT}},
    "convert": {E: {Status.DRAFT, Status.SENT, Status.VIEWED, Status.ACCEPTED}, SO: {Status.CONFIRMED}},
    "void": {
        E: {Status.DRAFT, Status.SENT, Status.VIEWED, Status.ACCEPTED, Status.DECLINED},
        SO: {Status.DRAFT, Status.CONFIRMED},
        INV: {Status.DRAFT, Status.SENT, Status.VIEWED, Status.PARTIALLY_PAID, Status.PAID},
        PO: {Status.DRAFT, Status.SENT},
        CN: {Status.DRAFT, Status.SENT, Status.VIEWED},
    },
    # sending by e-mail: any live document (reminders included); a draft becomes sent
    "email": {
        E: {Status.DRAFT, Status.SENT, Status.VIEWED, Status.ACCEPTED},
        SO: {Status.DRAFT, Status.CONFIRMED},
        INV: {Status.DRAFT, Status.SENT, Status.VIEWED, Status.PARTIALLY_PAID, Status.PAID},
        PO: {Status.DRAFT, Status.SENT},
        CN: {Status.DRAFT, Status.SENT, Status.VIEWED, Status.CLOSED},
    },
}
ACTION_LABELS = {
    "mark_sent": N_("marked as sent"),
    "mark_viewed": N_("marked as viewed"),
    "accept": N_("accepted"),
    "decline": N_("declined"),
    "confirm": N_("confirmed"),
    "close": N_("closed"),
    "convert": N_("converted"),
    "void": N_("voided"),
    "email": N_("sent by e-mail"),
}
# The history line of an invoice for nothing, paid as it is sent (payments.settle_if_nothing_due).
NOTHING_DUE = N_("Nothing is due on this invoice: it is paid without a payment.")
# Which kinds each kind converts into.
CONVERSIONS: dict[Kind, tuple[Kind, ...]] = {E: (SO, INV), SO: (INV,)}
# Statuses in which the date can make a document expired (estimates) or overdue (invoices).
EXPIRING = (Status.DRAFT, Status.SENT, Status.VIEWED)
COLLECTING = (Status.SENT, Status.VIEWED, Status.PARTIALLY_PAID)
# What a sending turns a draft into.
SENT_STATUS = {E: Status.SENT, SO: Status.CONFIRMED, INV: Status.SENT, PO: Status.SENT, CN: Status.SENT}


# What a document may offer its user, in the order pages show them: (name, step of ALLOWED or
# "edit", the kind a conversion creates).
OFFERS: tuple[tuple[str, str, Kind | None], ...] = (
    ("edit", "edit", None), ("email", "email", None), ("mark_sent", "mark_sent", None),
    ("accept", "accept", None), ("decline", "decline", None), ("confirm", "confirm", None),
    ("close", "close", None), ("convert_to_sales_order", "convert", SO), ("convert_to_invoice", "convert", INV),
    ("void", "void", None),
)


def available_actions(principal: Principal, txn: Transaction, organization: Organization) -> list[str]:
    """The actions (names of OFFERS) `txn` offers `principal` now, for pages and GraphQL alike:
    its kind and status allow them and so do the user's grants; a conversion also needs the grant
    of the kind it creates and an edition that keeps that kind. What only an attempt can tell (an
    estimate expired today, an invoice with payments) the action explains when refused."""
    doc = kinds.of(txn.kind)
    if not doc.exists_in(organization):  # a sales order left in an organization without them
        return []
    module, offered = doc.module, []
    for name, step, target in OFFERS:
        statuses = txns.EDITABLE[txn.kind] if step == "edit" else ALLOWED[step].get(txn.kind, ())
        if txn.status not in statuses or not principal.has(module, "email" if step == "email" else "create_edit"):
            continue
        if target is not None and not (
                target in CONVERSIONS.get(txn.kind, ()) and principal.has(kinds.of(target).module, "create_edit")
                and kinds.of(target).exists_in(organization)):
            continue
        offered.append(name)
    return offered


def is_expired(txn: Transaction, today: date) -> bool:
    return (txn.kind == E and txn.status in EXPIRING
            and txn.due_date is not None and txn.due_date < today)


def is_overdue(txn: Transaction, today: date) -> bool:
    return (txn.kind == INV and txn.status in COLLECTING
            and txn.due_date is not None and txn.due_date < today and txn.balance > 0)


def expired_q(today: date) -> Q:
    """`is_expired` as a filter on estimates."""
    return Q(status__in=EXPIRING, due_date__lt=today)


def overdue_q(today: date) -> Q:
    """`is_overdue` as a filter on invoices."""
    return Q(status__in=COLLECTING, due_date__lt=today, balance__gt=0)


def unpaid_q() -> Q:
    """Invoices with a balance still to collect (sent, viewed or partially paid)."""
    return Q(status__in=COLLECTING, balance__gt=0)


def display_status(txn: Transaction, today: date) -> str:
    if is_expired(txn, today):
        return "expired"
    if is_overdue(txn, today):
        return "overdue"
    return txn.status.value


def check(txn: Transaction, action: str, today: date | None = None) -> None:
    """Raise InvalidTransition, saying why, unless `action` may happen to `txn` now."""
    allowed = ALLOWED[action].get(txn.kind)
    if allowed is None:
        raise InvalidTransition(N_("This %(kind)s cannot be %(action)s."),
                                kind=Msgid(KIND_LABELS[txn.kind]), action=Msgid(ACTION_LABELS[action]))
    if txn.status not in allowed:
        if action in ("accept", "decline") and txn.status == Status.DRAFT:
            raise InvalidTransition(N_("Send the estimate before the customer can accept or decline it."))
        if action == "convert" and txn.kind == SO and txn.status == Status.DRAFT:
            raise InvalidTransition(N_("Confirm the sales order before invoicing it."))
        raise InvalidTransition(
            N_("This %(kind)s is “%(status)s”: it cannot be %(action)s."),
            kind=Msgid(KIND_LABELS[txn.kind]), status=Msgid(STATUS_LABELS[txn.status]),
            action=Msgid(ACTION_LABELS[action]))
    if today is not None and action in ("accept", "convert") and is_expired(txn, today):
        raise InvalidTransition(N_("The estimate expired on %(date)s."), date=Day.of(txn.due_date))


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def step(txn: Transaction, action: str, status: Status, msgid: str, user: User | None,
               today: date | None = None) -> Transaction:
    """Move a document the caller holds locked (in its transaction), with its history comment;
    InvalidTransition, saying why, when the move may not happen now. Every status change a user
    asks for goes through here, and so do those of a rule (the deal automation)."""
    check(txn, action, today)
    if action == "void" and txn.kind == INV and await Payment.filter(
            invoice_id=txn.id, voided_at__isnull=True).exists():
        raise InvalidTransition(N_("This invoice has payments: void them first."))
    if action == "void" and txn.kind in (INV, CN) and txn.credit_applied > 0:
        raise InvalidTransition(N_("Credit is applied to this invoice or from this credit note: void the credit applications first."))
    if action == "void" and txn.kind == CN and txn.amount_paid > 0:
        raise InvalidTransition(N_("This credit note has refunds: void them first."))
    if action == "void" and txn.kind == SO:
        billing.refuse_if_billed(txn, await txns.lines_of(txn))
    txn.status = status
    if action == "mark_sent":
        txn.sent_at = _now()
    settled = payments.settle_if_nothing_due(txn)
    await txn.save()
    await history.record(txn, action, msgid, user)
    if settled:
        await history.record(txn, "paid", NOTHING_DUE, user)
    if action == "void" and txn.kind == INV:
        await billing.release(txn, user)  # the order lines it billed may be billed again
    return txn


async def _transition(principal: Principal, kind: Kind, record_id: Any, action: str,
                      status: Status, msgid: str, permission: str = "create_edit") -> Transaction:
    async with in_transaction():
        txn = await txns.get(principal, kind, record_id, permission, for_update=True)
        await step(txn, action, status, msgid, principal.user, txns.today_in(principal))
    return txn


async def mark_sent(principal: Principal, kind: Kind, record_id: Any) -> Transaction:
    return await _transition(principal, kind, record_id, "mark_sent", Status.SENT, N_("Marked as sent."))


async def accept(principal: Principal, record_id: Any) -> Transaction:
    return await _transition(principal, E, record_id, "accept", Status.ACCEPTED, N_("Marked as accepted."))


async def decline(principal: Principal, record_id: Any) -> Transaction:
    return await _transition(principal, E, record_id, "decline", Status.DECLINED, N_("Marked as declined."))


async def confirm(principal: Principal, record_id: Any) -> Transaction:
    return await _transition(principal, SO, record_id, "confirm", Status.CONFIRMED, N_("Confirmed."))


async def close(principal: Principal, record_id: Any) -> Transaction:
    return await _transition(principal, PO, record_id, "close", Status.CLOSED, N_("Closed."))


async def void(principal: Principal, kind: Kind, record_id: Any) -> Transaction:
    async with in_transaction():
        txn = await txns.get(principal, kind, record_id, "create_edit", for_update=True)
        await step(txn, "void", Status.VOID, N_("Voided."), principal.user)
    return txn


async def mark_viewed(txn: Transaction) -> bool:
    """The customer opened the document (portal link). Only the first view changes anything."""
    async with in_transaction():
        txn = await Transaction.filter(id=txn.id).select_for_update().first()
        if txn.viewed_at is not None:
            return False
        txn.viewed_at = _now()
        if txn.status in ALLOWED["mark_viewed"].get(txn.kind, set()):
            txn.status = Status.VIEWED
        await txn.save()
        await history.record(txn, "viewed", N_("Viewed by the customer."))
    return True


async def mark_emailed(principal: Principal, txn: Transaction, recipients: str) -> Transaction:
    """Sending by e-mail succeeded: record it, and a draft becomes sent (an order confirmed)."""
    async with in_transaction():
        fresh = await Transaction.filter(id=txn.id).select_for_update().first()
        if fresh.status == Status.DRAFT:
            fresh.status = SENT_STATUS[fresh.kind]
        fresh.sent_at = _now()
        settled = payments.settle_if_nothing_due(fresh)
        await fresh.save()
        await history.record(fresh, "sent", N_("Sent by e-mail to %(recipients)s."), principal.user,
                             recipients=recipients)
        if settled:
            await history.record(fresh, "paid", NOTHING_DUE, principal.user)
    return fresh


NO_RATE = N_("Edit this document to give its exchange rate to the yen (%(currency)s) before converting it.")  # an invoice needs one


async def convert(principal: Principal, kind: Kind, record_id: Any, target: Kind) -> Transaction:
    """Turn an estimate into a sales order or an invoice, or a sales order into an invoice."""
    targets = CONVERSIONS.get(kind, ())
    if target not in targets:
        raise InvalidTransition(N_("This %(kind)s cannot be converted into a document of this kind (%(target)s)."),
                                kind=Msgid(KIND_LABELS[kind]), target=Msgid(KIND_LABELS[target]))
    require(principal, "create_edit", txns.module(target))
    async with in_transaction():
        source = await txns.get(principal, kind, record_id, "create_edit", for_update=True)
        check(source, "convert", txns.today_in(principal))
        if target == SO:
            org = await Organization.get(id=source.organization_id)
            if not kinds.of(target).exists_in(org):
                raise InvalidTransition(kinds.BOOKS_EDITION_ONLY)
        if kinds.of(target).rate_required and needs_rate(source.currency) and source.exchange_rate is None:
            raise InvalidTransition(NO_RATE, currency=source.currency)
        pricing = txns.pricing_data(source)
        if kind == SO:  # only what no invoice bills yet
            unbilled = (await billing.unbilled_lines([source.id]))[source.id]
            if not unbilled:
                raise InvalidTransition(N_("Every line of this sales order is invoiced already."))
            # Part of the order billed already: its document discount goes with the lines, in
            # shares (discount lines), not again whole.
            whole = len(unbilled) == await TransactionLine.filter(transaction_id=source.id).count()
            org = await Organization.get(id=source.organization_id)
            planned = await billing.plan([source], {source.id: unbilled}, org.language, labelled=False,
                                         discounts=not whole)
            lines = [b.row for b in planned]
            if not whole:
                pricing["discount_value"] = 0
        else:
            lines = txns.line_data(await txns.lines_of(source))
        data = {
            "organization_id": source.organization_id, "contact_id": source.contact_id,
            "reference": source.reference or source.number, "subject": source.subject,
            "salesperson_id": source.salesperson_id, "notes": source.notes, "terms": source.terms,
            "lines": lines, **pricing,
        }
        created = await txns.create(principal, target, data, source=source)
        if kind == SO:
            await billing.bill(created, planned)
            await source.refresh_from_db()
        else:
            source.status = Status.CONVERTED
            await source.save()
        await history.record(source, "converted", N_("Converted to %(number)s."), principal.user,
                             number=created.number)
        await history.record(created, "created", N_("Created from %(number)s."), principal.user,
                             number=source.number)
    return created
