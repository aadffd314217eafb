"""Payments against invoices: partial or full, never more than the balance; a voided payment
gives its amount back to the balance. The invoice row is locked while its balance changes, so
two payments recorded at once cannot overpay it together."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, TypeVar

from tortoise.expressions import Subquery
from tortoise.models import Model
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from app import cleaning
from app.errors import FieldError, InvalidTransition, NotFound, ValidationError
from app.i18n import N_
from app.models import BooksContact, EventType, Kind, Payment, PaymentMode, Status, Transaction
from app.money import fits_minor_unit, format_money, minor_unit, to_yen
from app.permissions import Principal, require
from app.services import history, notifications
from app.services import transactions as txns

PAYABLE = {Status.SENT, Status.VIEWED, Status.PARTIALLY_PAID}
PAYMENT_FIELDS = {"amount", "date", "mode", "reference", "notes"}
# The one wording of why a draft takes no payment yet, for the refusal and the draft's hint.
SEND_FIRST = N_("Send the invoice (or mark it as sent) before recording payments.")


def not_payable_reason(invoice: Transaction) -> str | None:
    """Why `invoice` cannot take a payment now (a msgid), or None when it can."""
    if invoice.status in PAYABLE:
        return None
    if invoice.status == Status.DRAFT:
        return SEND_FIRST
    return N_("This invoice is paid in full.") if invoice.status == Status.PAID else N_(
        "A void invoice cannot receive payments.")


def settle_if_nothing_due(invoice: Transaction) -> bool:
    """An invoice issued for nothing (a total of zero, say a 100% discount) is paid as soon as it
    is sent: no payment will ever come, so it must not wait for one or count as receivable.
    Sets the status on the unsaved row; True when it did."""
    if invoice.kind != Kind.INVOICE or invoice.total > 0 or invoice.status not in PAYABLE:
        return False
    invoice.amount_paid, invoice.credit_applied = Decimal(0), Decimal(0)
    invoice.balance, invoice.status = Decimal(0), Status.PAID
    return True


def settle(doc: Transaction, paid: Decimal | None = None, credited: Decimal | None = None) -> None:
    """The one place an invoice's (or a credit note's) balance and status follow from what settled
    it. Invoice: balance = total - payments (`paid`) - credit applied (`credited`); paid in full by
    payments, credit or both. Credit note: its remaining credit = total - refunds (`paid`) -
    credit applied to invoices (`credited`); closed once nothing remains. Leaving an argument out
    keeps the document's current amount."""
    doc.amount_paid = doc.amount_paid if paid is None else paid
    doc.credit_applied = doc.credit_applied if credited is None else credited
    used = doc.amount_paid + doc.credit_applied
    doc.balance = doc.total - used
    if doc.kind == Kind.CREDIT_NOTE:
        if doc.status in (Status.DRAFT, Status.VOID):
            return
        if doc.balance <= 0:
            doc.status = Status.CLOSED
        else:
            doc.status = Status.VIEWED if doc.viewed_at else Status.SENT
        return
    if used > 0 or (doc.total <= 0 and doc.status == Status.PAID):  # a ¥0 invoice stays settled
        doc.status = Status.PAID if doc.balance <= 0 else Status.PARTIALLY_PAID
    else:
        doc.status = Status.VIEWED if doc.viewed_at else Status.SENT


TOO_MUCH = N_("The payment of %(amount)s is more than the balance due of %(balance)s.")


def clean_payment(principal: Principal, invoice: Transaction, data: dict[str, Any],
                  too_much: str = TOO_MUCH) -> dict[str, Any]:
    """A payment's (or a refund's) amount, date, mode, reference and notes; the amount at most
    `invoice.balance` (`too_much` says so otherwise)."""
    errors: list[FieldError] = [FieldError(n, N_("Unknown field.")) for n in sorted(set(data) - PAYMENT_FIELDS)]
    errors.extend(cleaning.unstorable(data))
    if errors:
        raise ValidationError(errors)
    values: dict[str, Any] = {}
    try:
        amount = cleaning.column_decimal(Payment, "amount", data.get("amount", ""))
    except cleaning.Unclean as problem:
        errors.append(FieldError("amount", problem.msgid, problem.params))
    else:
        if amount <= 0:
            errors.append(FieldError("amount", N_("Enter an amount above zero.")))
        elif not fits_minor_unit(amount, invoice.currency):
            errors.append(FieldError("amount", N_("%(currency)s amounts have at most %(digits)d decimal places."),
                                     {"currency": invoice.currency,
                                      "digits": minor_unit(invoice.currency)}))
        elif amount > invoice.balance:
            errors.append(FieldError(
                "amount", too_much,
                {"amount": format_money(amount, invoice.currency),
                 "balance": format_money(invoice.balance, invoice.currency)}))
        values["amount"] = amount
    raw_date = data.get("date")
    try:
        values["date"] = cleaning.day(raw_date) if raw_date not in (None, "") else txns.today_in(principal)
    except cleaning.Unclean as problem:
        errors.append(FieldError("date", problem.msgid, problem.params))
    try:
        values["mode"] = PaymentMode(data.get("mode") or PaymentMode.BANK_TRANSFER)
    except ValueError:
        errors.append(FieldError("mode", N_("Choose one of the offered values.")))
    for name, limit in (("reference", 100), ("notes", 500)):
        text = str(data.get(name) or "").strip()
        if len(text) > limit:
            errors.append(FieldError(name, N_("Must be at most %(max)d characters (now %(length)d)."),
                                     {"max": limit, "length": len(text)}))
        values[name] = text
    if errors:
        raise ValidationError(errors)
    return values


async def record_payment(principal: Principal, invoice_id: Any, data: dict[str, Any]) -> Payment:
    async with notifications.change():
        invoice = await txns.get(principal, Kind.INVOICE, invoice_id, "create_edit", for_update=True)
        if (reason := not_payable_reason(invoice)) is not None:
            raise InvalidTransition(reason)
        values = clean_payment(principal, invoice, data)
        payment = await Payment.create(organization_id=invoice.organization_id, invoice_id=invoice.id,
                                       created_by_id=principal.user.id, **values)
        settle(invoice, paid=invoice.amount_paid + payment.amount)
        await invoice.save()
        amount = format_money(payment.amount, invoice.currency)
        if payment.reference:
            await history.record(invoice, "paid", N_("Payment of %(amount)s recorded (%(reference)s)."),
                                 principal.user, amount=amount, reference=payment.reference)
        else:
            await history.record(invoice, "paid", N_("Payment of %(amount)s recorded."), principal.user,
                                 amount=amount)
        await record_paid_event(invoice, payment, actor=principal.user.name)
    return payment


async def record_paid_event(invoice: Transaction, payment: Payment, actor: str = "") -> None:
    """The `invoice.paid` notification of a payment, partial or full, in the caller's transaction."""
    contact = await BooksContact.get(id=invoice.contact_id)
    await notifications.record(EventType.INVOICE_PAID, invoice, actor=actor, data={
        "kind": invoice.kind.value, "number": invoice.number,
        "customer": contact.company_name or contact.display_name, "currency": invoice.currency,
        "amount": format_money(payment.amount, invoice.currency), "amount_value": str(payment.amount),
        "mode": payment.mode.value, "balance": format_money(invoice.balance, invoice.currency),
        "paid_in_full": invoice.balance <= 0})


M = TypeVar("M", bound=Model)


async def void_row(model: type[M], pk: int, already: str) -> M:
    """Mark a money row (payment, refund, credit application) void, once: locked, after the
    documents it moves money between (the caller's transaction holds them); `already` is the
    refusal when it is void already."""
    row = await model.filter(id=pk).select_for_update().first()
    if row.voided_at is not None:
        raise InvalidTransition(already)
    row.voided_at = datetime.now(timezone.utc)
    await row.save(update_fields=["voided_at"])
    return row


async def void_payment(principal: Principal, payment_id: Any) -> Payment:
    pk = cleaning.pk(payment_id)
    if pk is None:
        raise NotFound()
    async with in_transaction():
        payment = await Payment.get_or_none(id=pk)
        if payment is None:
            raise NotFound()
        invoice = await txns.get(principal, Kind.INVOICE, payment.invoice_id, "create_edit", for_update=True)
        if invoice.status == Status.VOID:
            raise InvalidTransition(N_("A void invoice cannot receive payments."))
        payment = await void_row(Payment, pk, N_("This payment is already void."))
        settle(invoice, paid=invoice.amount_paid - payment.amount)
        await invoice.save()
        await history.record(invoice, "payment_voided", N_("Payment of %(amount)s voided; the balance is %(balance)s again."),
                             principal.user, amount=format_money(payment.amount, invoice.currency),
                             balance=format_money(invoice.balance, invoice.currency))
    return payment


async def payments_of(principal: Principal, invoice: Transaction) -> list[Payment]:
    require(principal, "view", invoice)
    return await Payment.filter(invoice_id=invoice.id).order_by("date", "id")


# ---- the organization's payments (the Payments list) ------------------------------------------

ORDERS = {"date": ("date", "id"), "-date": ("-date", "-id")}


def organization_payments(principal: Principal, organization_id: int | None, *, contact_id: int | None = None,
                          date_from: date | None = None, date_to: date | None = None,
                          order: str = "-date") -> QuerySet:
    """The payments of the invoices the user may see in one organization (voided ones included,
    they stay on record), narrowed to a customer and a range of payment dates."""
    invoices = txns.query(principal, Kind.INVOICE).filter(organization_id=organization_id or 0)
    if contact_id is not None:
        invoices = invoices.filter(contact_id=contact_id)
    qs = Payment.filter(organization_id=organization_id or 0, invoice_id__in=Subquery(invoices.values("id")))
    if date_from is not None:
        qs = qs.filter(date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(date__lte=date_to)
    return qs.order_by(*ORDERS.get(order, ORDERS["-date"]))


async def received_totals(payments: QuerySet) -> tuple[dict[str, Decimal], Decimal | None]:
    """What `payments` (an organization_payments list) received, voided ones left out: the sum per
    currency, and the total in yen at each invoice's exchange rate (None when a payment of a foreign
    invoice without a rate is among them). One grouped query, whatever the list's length."""
    from tortoise.functions import Sum

    rows = await payments.filter(voided_at=None).order_by().annotate(sum=Sum("amount")).group_by(
        "invoice__currency", "invoice__exchange_rate").values_list("invoice__currency", "invoice__exchange_rate", "sum")
    by_currency: dict[str, Decimal] = {}
    yen: Decimal | None = Decimal(0)
    for currency, rate, amount in rows:
        amount = Decimal(amount or 0)
        by_currency[currency] = by_currency.get(currency, Decimal(0)) + amount
        converted = to_yen(amount, currency, None if rate is None else Decimal(rate))
        yen = None if yen is None or converted is None else yen + converted
    return dict(sorted(by_currency.items())), yen
