"""The customer portal: what a customer sees of an organization's estimates and invoices, and
what they may do there.

Two ways in:
- the link of one document (`/portal/<token>`, in the e-mail that sent it): an unguessable token,
  that document only; staff can replace the token (`revoke_document_link`), which ends the link;
- a sign-in link mailed to a contact person (`app.services.portal_sessions`): it works once,
  expires, and starts a portal session scoped to that one customer, which shows all of the
  customer's estimates and invoices.

Drafts are never shown. A customer opening a document records "viewed" once per document, customer
and day (the one write a GET makes); the first view also turns a sent document `viewed` with a
history entry, as before. Members of the organization looking at it never count.

Customers comment, accept (their name, an optional signature, the terms shown) or decline (a
reason) estimates, and report bank transfers for invoices, which staff confirm into payments.
Staff can accept on the customer's behalf and revert an acceptance. Every change records its
notification event (`app.services.notifications.record`) in its own database transaction.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from app import cleaning, settings
from app.errors import FieldError, InvalidTransition, NotFound, ValidationError
from app.i18n import N_, Day
from app.models import (
    BooksContact, Comment, CommentKind, EventType, Kind, Payment, PaymentMode, PortalView, Status, Transaction,
    TransferReport,
)
from app.money import fits_minor_unit, format_money, minor_unit
from app.permissions import Principal
from app.services import history, notifications, payments, workflow
from app.services import transactions as txns

PORTAL_KINDS = (Kind.ESTIMATE, Kind.INVOICE, Kind.CREDIT_NOTE)
# What a customer's view and note notify.
VIEWED_EVENTS = {Kind.ESTIMATE: EventType.ESTIMATE_VIEWED, Kind.INVOICE: EventType.INVOICE_VIEWED,
                 Kind.CREDIT_NOTE: EventType.CREDIT_NOTE_VIEWED}
COMMENTED_EVENTS = {Kind.ESTIMATE: EventType.ESTIMATE_COMMENTED, Kind.INVOICE: EventType.INVOICE_COMMENTED,
                    Kind.CREDIT_NOTE: EventType.CREDIT_NOTE_COMMENTED}
NAME_MAX = 100
REASON_MAX = 1000
COMMENT_MAX = 4000
SIGNATURE_MAX = 100
EXCERPT = 140


@dataclass(frozen=True)
class Visitor:
    """Who looks at the portal: the customer (a contact person signed in, or whoever holds a
    document's link), or a member of the organization (`staff`), whose looking never counts."""

    contact_id: int
    name: str = ""
    email: str = ""
    staff: bool = False


def _now() -> datetime:
    return datetime.now(timezone.utc)


def today() -> date:
    return datetime.now(ZoneInfo(settings.DEFAULT_TIMEZONE)).date()


def _token_ok(token: str) -> bool:
    return bool(token) and len(token) <= 64 and cleaning.storable(token)


# -- the document link -------------------------------------------------------------------------

async def document_for(token: str) -> Transaction:
    if not _token_ok(token):
        raise NotFound()
    txn = await Transaction.get_or_none(portal_token=token)
    if txn is None or txn.status == Status.DRAFT or link_expired(txn):
        raise NotFound()
    return txn


def link_expired(txn: Transaction) -> bool:
    """The document link is older than settings.PORTAL_DOCUMENT_LINK_DAYS (counted from the last
    sending; 0: never)."""
    days = settings.PORTAL_DOCUMENT_LINK_DAYS
    since = txn.sent_at or txn.created_at
    return days > 0 and since is not None and since + timedelta(days=days) < _now()


def visitor_of_link(txn: Transaction, principal: Principal | None) -> Visitor:
    return Visitor(contact_id=txn.contact_id,
                   staff=principal is not None and txn.organization_id in principal.organization_ids)


async def open_document(token: str, visitor: Principal | None) -> Transaction:
    txn = await document_for(token)
    return await record_view(txn, visitor_of_link(txn, visitor))


async def revoke_document_link(principal: Principal, kind: Kind, record_id: Any) -> Transaction:
    """Staff: the document's link stops working; the next e-mail carries a new one."""
    async with in_transaction():
        txn = await txns.get(principal, kind, record_id, "create_edit", for_update=True)
        txn.portal_token = secrets.token_urlsafe(32)
        await txn.save(update_fields=["portal_token"])
        await history.record(txn, "portal_link_revoked", N_("Customer link revoked."), principal.user)
    return txn


# -- what a customer sees ----------------------------------------------------------------------

async def documents_of(visitor: Visitor) -> dict[Kind, list[Transaction]]:
    rows = await Transaction.filter(contact_id=visitor.contact_id, kind__in=PORTAL_KINDS).exclude(
        status=Status.DRAFT).order_by("-issue_date", "-id")
    return {kind: [t for t in rows if t.kind == kind] for kind in PORTAL_KINDS}


async def document_of(visitor: Visitor, record_id: Any) -> Transaction:
    pk = cleaning.pk(record_id)
    txn = await Transaction.get_or_none(id=pk, contact_id=visitor.contact_id) if pk else None
    if txn is None or txn.status == Status.DRAFT or txn.kind not in PORTAL_KINDS:
        raise NotFound()
    return txn


async def comments_for_customer(txn: Transaction) -> list[Comment]:
    """The notes a customer sees: their own and staff replies marked visible to them."""
    return await Comment.filter(transaction_id=txn.id, kind=CommentKind.NOTE).filter(
        Q(customer_author__not="") | Q(visible_to_customer=True))


async def acceptance(txn: Transaction) -> Comment | None:
    """The history entry of the estimate's acceptance (who, when), while it stands."""
    if txn.status != Status.ACCEPTED:
        return None
    return await Comment.filter(transaction_id=txn.id, action="accept").order_by("-id").first()


async def pending_transfers(txn: Transaction) -> list[TransferReport]:
    return await TransferReport.filter(invoice_id=txn.id, confirmed_at__isnull=True, dismissed_at__isnull=True)


def refusal(txn: Transaction, action: str) -> InvalidTransition | None:
    """Why the customer may not `action` ("accept", "decline") the estimate now, or None."""
    try:
        workflow.check(txn, action, today())
    except InvalidTransition as exc:
        return exc
    if action == "decline" and workflow.is_expired(txn, today()):
        return InvalidTransition(N_("The estimate expired on %(date)s."), date=Day.of(txn.due_date))
    return None


async def event_data(txn: Transaction, **extra: Any) -> dict[str, Any]:
    """What a chat message needs, so that delivery never reads the document again."""
    contact = await BooksContact.get(id=txn.contact_id)
    data = {"kind": txn.kind.value, "number": txn.number,
            "customer": contact.company_name or contact.display_name,
            "total": format_money(txn.total, txn.currency), "currency": txn.currency}
    data.update({k: v for k, v in extra.items() if v not in (None, "")})
    return data


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT else text[:EXCERPT - 1] + "…"


async def record_view(txn: Transaction, visitor: Visitor) -> Transaction:
    """The customer opened the document: recorded once per document, customer and day (an event);
    the first time ever the document also becomes `viewed`. Staff never count."""
    if visitor.staff:
        return txn
    day = today()
    if await PortalView.exists(transaction_id=txn.id, contact_id=visitor.contact_id, day=day):
        return txn
    try:
        async with notifications.change():
            await PortalView.create(transaction_id=txn.id, contact_id=visitor.contact_id, day=day)
            fresh = await Transaction.filter(id=txn.id).select_for_update().first()
            if fresh.viewed_at is None:
                fresh.viewed_at = _now()
                if fresh.status in workflow.ALLOWED["mark_viewed"].get(fresh.kind, set()):
                    fresh.status = Status.VIEWED
                await fresh.save()
                await history.record(fresh, "viewed", N_("Viewed by the customer."))
            if (event := VIEWED_EVENTS.get(fresh.kind)) is not None:
                await notifications.record(event, fresh, actor=visitor.name, data=await event_data(fresh))
    except IntegrityError:  # the same view recorded at the same moment by another request
        return await Transaction.get(id=txn.id)
    return fresh


# -- what a customer does ----------------------------------------------------------------------

def _text(data: dict[str, Any], name: str, limit: int, required: bool, errors: list[FieldError]) -> str:
    value = data.get(name)
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        errors.append(FieldError(name, N_("Enter text.")))
    elif not cleaning.storable(text):
        errors.append(FieldError(name, cleaning.UNSTORABLE))
    elif required and not text:
        errors.append(FieldError(name, N_("This field is required.")))
    elif len(text) > limit:
        errors.append(FieldError(name, N_("Must be at most %(max)d characters (now %(length)d)."),
                                 {"max": limit, "length": len(text)}))
    return text


async def _locked(txn: Transaction) -> Transaction:
    return await Transaction.filter(id=txn.id).select_for_update().first()


def _author(visitor: Visitor, fallback: str) -> str:
    return (visitor.name or visitor.email or fallback)[:200]


async def comment(txn: Transaction, visitor: Visitor, data: dict[str, Any]) -> Comment:
    errors: list[FieldError] = []
    text = _text(data, "text", COMMENT_MAX, True, errors)
    if errors:
        raise ValidationError(errors)
    contact = await BooksContact.get(id=txn.contact_id)
    author = _author(visitor, contact.display_name)
    async with notifications.change():
        note = await Comment.create(transaction_id=txn.id, kind=CommentKind.NOTE, text=text,
                                    customer_author=author, visible_to_customer=True)
        if (event := COMMENTED_EVENTS.get(txn.kind)) is not None:
            await notifications.record(event, txn, actor=author, data=await event_data(txn, excerpt=_excerpt(text)))
    return note


async def accept(txn: Transaction, visitor: Visitor, data: dict[str, Any]) -> Transaction:
    """The customer accepts the estimate: the accepting person's name, an optional signature
    (their name typed again) and the terms they were shown are kept in the history entry."""
    errors: list[FieldError] = []
    name = _text(data, "name", NAME_MAX, True, errors)
    signature = _text(data, "signature", SIGNATURE_MAX, False, errors)
    if errors:
        raise ValidationError(errors)
    async with notifications.change():
        fresh = await _locked(txn)
        if fresh.kind != Kind.ESTIMATE:
            raise NotFound()
        if (problem := refusal(fresh, "accept")) is not None:
            raise problem
        fresh.status = Status.ACCEPTED
        await fresh.save()
        await history.record(fresh, "accept", N_("Accepted by %(name)s in the customer portal."),
                             name=name, signature=signature, terms=fresh.terms)
        await notifications.record(EventType.ESTIMATE_ACCEPTED, fresh, actor=name,
                                   data=await event_data(fresh, accepted_by=name, signature=signature))
    return fresh


async def decline(txn: Transaction, visitor: Visitor, data: dict[str, Any]) -> Transaction:
    errors: list[FieldError] = []
    reason = _text(data, "reason", REASON_MAX, True, errors)
    name = _text(data, "name", NAME_MAX, False, errors)
    if errors:
        raise ValidationError(errors)
    name = name or _author(visitor, "")
    async with notifications.change():
        fresh = await _locked(txn)
        if fresh.kind != Kind.ESTIMATE:
            raise NotFound()
        if (problem := refusal(fresh, "decline")) is not None:
            raise problem
        fresh.status = Status.DECLINED
        await fresh.save()
        await history.record(fresh, "decline", N_("Declined in the customer portal: %(reason)s"),
                             name=name, reason=reason)
        await notifications.record(EventType.ESTIMATE_DECLINED, fresh, actor=name,
                                   data=await event_data(fresh, declined_by=name, reason=reason))
    return fresh


def _amount(invoice: Transaction, raw: Any, errors: list[FieldError]) -> Decimal | None:
    try:
        amount = cleaning.column_decimal(TransferReport, "amount", raw if raw is not None else "")
    except cleaning.Unclean as problem:
        errors.append(FieldError("amount", problem.msgid, problem.params))
        return None
    if amount <= 0:
        errors.append(FieldError("amount", N_("Enter an amount above zero.")))
    elif not fits_minor_unit(amount, invoice.currency):
        errors.append(FieldError("amount", N_("%(currency)s amounts have at most %(digits)d decimal places."),
                                 {"currency": invoice.currency, "digits": minor_unit(invoice.currency)}))
    elif amount > invoice.balance:
        errors.append(FieldError(
            "amount", N_("The payment of %(amount)s is more than the balance due of %(balance)s."),
            {"amount": format_money(amount, invoice.currency),
             "balance": format_money(invoice.balance, invoice.currency)}))
    return amount


def payable_refusal(invoice: Transaction) -> InvalidTransition | None:
    if invoice.kind != Kind.INVOICE:
        return InvalidTransition(N_("Only invoices are paid."))
    if invoice.status not in payments.PAYABLE:
        return InvalidTransition(N_("This invoice is paid in full.") if invoice.status == Status.PAID
                                 else N_("A void invoice cannot receive payments."))
    return None


async def report_transfer(txn: Transaction, visitor: Visitor, data: dict[str, Any]) -> TransferReport:
    """The customer says they paid by bank transfer (振込): date, amount, remitter's name."""
    errors: list[FieldError] = []
    remitter = _text(data, "remitter", NAME_MAX, True, errors)
    try:
        day = cleaning.day(data.get("date"))
    except cleaning.Unclean as problem:
        errors.append(FieldError("date", problem.msgid, problem.params))
    async with notifications.change():
        invoice = await _locked(txn)
        if (problem := payable_refusal(invoice)) is not None:
            raise problem
        amount = _amount(invoice, data.get("amount"), errors)
        if errors:
            raise ValidationError(errors)
        author = _author(visitor, remitter)
        report = await TransferReport.create(organization_id=invoice.organization_id, invoice_id=invoice.id,
                                             transfer_date=day, amount=amount, remitter=remitter,
                                             reported_by=author)
        money = format_money(amount, invoice.currency)
        await history.record(invoice, "transfer_reported",
                             N_("The customer reported a bank transfer of %(amount)s on %(date)s from %(remitter)s."),
                             amount=money, date=day.isoformat(), remitter=remitter)
        await notifications.record(EventType.INVOICE_TRANSFER_REPORTED, invoice, actor=author, data=await event_data(
            invoice, amount=money, amount_value=str(amount), date=day.isoformat(), remitter=remitter))
    return report


# -- staff -------------------------------------------------------------------------------------

async def accept_on_behalf(principal: Principal, record_id: Any, data: dict[str, Any]) -> Transaction:
    """Staff record the customer's acceptance (by telephone, on paper), named, in the history."""
    errors: list[FieldError] = []
    name = _text(data, "name", NAME_MAX, True, errors)
    if errors:
        raise ValidationError(errors)
    async with notifications.change():
        txn = await txns.get(principal, Kind.ESTIMATE, record_id, "create_edit", for_update=True)
        workflow.check(txn, "accept", txns.today_in(principal))
        txn.status = Status.ACCEPTED
        await txn.save()
        await history.record(txn, "accept", N_("Accepted on the customer’s behalf (%(name)s)."),
                             principal.user, name=name)
        await notifications.record(EventType.ESTIMATE_ACCEPTED, txn, actor=name,
                                   data=await event_data(txn, accepted_by=name, on_behalf_of=principal.user.name))
    return txn


async def revert_acceptance(principal: Principal, record_id: Any) -> Transaction:
    async with in_transaction():
        txn = await txns.get(principal, Kind.ESTIMATE, record_id, "create_edit", for_update=True)
        if txn.status != Status.ACCEPTED:
            raise InvalidTransition(N_("Only an accepted estimate can have its acceptance reverted."))
        txn.status = Status.VIEWED if txn.viewed_at else Status.SENT
        await txn.save()
        await history.record(txn, "acceptance_reverted", N_("Acceptance reverted."), principal.user)
    return txn


async def transfer_reports(principal: Principal, invoice: Transaction) -> list[TransferReport]:
    return await TransferReport.filter(invoice_id=invoice.id).order_by("created_at", "id")


async def _open_report(principal: Principal, report_id: Any) -> tuple[TransferReport, Transaction]:
    """A transfer report not handled yet, locked, and its invoice (which the principal may edit);
    call it inside a transaction."""
    pk = cleaning.pk(report_id)
    report = await TransferReport.filter(id=pk).select_for_update().first() if pk is not None else None
    if report is None:
        raise NotFound()
    invoice = await txns.get(principal, Kind.INVOICE, report.invoice_id, "create_edit")
    if report.confirmed_at is not None or report.dismissed_at is not None:
        raise InvalidTransition(N_("This transfer report was already handled."))
    return report, invoice


async def confirm_transfer(principal: Principal, report_id: Any) -> Payment:
    """Staff saw the money arrive: the report becomes a payment (bank transfer, remitter as
    reference) in the same transaction; a report is confirmed once."""
    async with notifications.change():  # the payment's event goes out once this commits
        report, invoice = await _open_report(principal, report_id)
        payment = await payments.record_payment(principal, invoice.id, {
            "amount": str(report.amount), "date": report.transfer_date.isoformat(),
            "mode": PaymentMode.BANK_TRANSFER.value, "reference": report.remitter[:100]})
        report.confirmed_at, report.payment_id = _now(), payment.id
        await report.save()
    return payment


async def dismiss_transfer(principal: Principal, report_id: Any) -> TransferReport:
    """Staff: the reported transfer never arrived (or was reported twice); it is set aside,
    recorded in the invoice's history."""
    async with in_transaction():
        report, invoice = await _open_report(principal, report_id)
        report.dismissed_at = _now()
        await report.save()
        await history.record(invoice, "transfer_dismissed", N_("Reported transfer of %(amount)s from %(remitter)s set aside."),
                             principal.user, amount=format_money(report.amount, invoice.currency),
                             remitter=report.remitter)
    return report
