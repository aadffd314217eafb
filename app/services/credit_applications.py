"""Using a credit note's credit: applied to open invoices of the same customer, or refunded.

Never more than an invoice's balance nor the note's remaining credit. As with payments
(app.services.payments), the rows whose balances change are locked for the change: the credit
note first, then its invoices by id, so two applications at once cannot over-apply it together.
A voided application or refund gives its amount back (app.services.payments.settle computes both
balances and statuses)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from app import cleaning
from app.errors import FieldError, InvalidTransition, NotFound, ValidationError
from app.i18n import N_
from app.models import CreditApplication, Kind, Refund, Status, Transaction
from app.money import fits_minor_unit, format_money, minor_unit
from app.permissions import Principal, require
from app.services import history, payments
from app.services import transactions as txns

CN, INV = Kind.CREDIT_NOTE, Kind.INVOICE
OPEN = (Status.SENT, Status.VIEWED)
SEND_FIRST = N_("Send the credit note (or mark it as sent) before using its credit.")
MAX_APPLICATIONS = 50


def not_usable_reason(note: Transaction) -> str | None:
    """Why the credit of `note` cannot be used now (a msgid), or None when it can."""
    if note.status in OPEN and note.balance > 0:
        return None
    if note.status == Status.DRAFT:
        return SEND_FIRST
    if note.status == Status.VOID:
        return N_("A void credit note has no credit.")
    return N_("The credit of this credit note is used up.")


async def _note(principal: Principal, note_id: Any) -> Transaction:
    note = await txns.get(principal, CN, note_id, "create_edit", for_update=True)
    require(principal, "create_edit", txns.module(INV))
    return note


def _allocations(raw: Any) -> list[tuple[str, Any, Any]]:
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, (list, tuple)) or not raw:
        raise ValidationError.single("applications", N_("Enter an amount for at least one invoice."))
    if len(raw) > MAX_APPLICATIONS:
        raise ValidationError.single("applications", N_("At most %(max)d lines."), max=MAX_APPLICATIONS)
    rows = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or set(item) - {"invoice_id", "amount"}:
            raise ValidationError.single(f"applications.{i}", N_("Enter a valid value."))
        rows.append((f"applications.{i}", item.get("invoice_id"), item.get("amount")))
    return rows


async def apply_credit(principal: Principal, note_id: Any, applications: Any,
                       on: Any = None) -> list[CreditApplication]:
    """Apply credit of a credit note to invoices: `applications` is a list of {invoice_id,
    amount}; all are recorded or none."""
    rows = _allocations(applications)
    async with in_transaction():
        note = await _note(principal, note_id)
        if (reason := not_usable_reason(note)) is not None:
            raise InvalidTransition(reason)
        errors: list[FieldError] = []
        try:
            day = cleaning.day(on) if on not in (None, "") else txns.today_in(principal)
        except cleaning.Unclean as problem:
            errors.append(FieldError("date", problem.msgid, problem.params))
        pks = [cleaning.pk(invoice_id) for _, invoice_id, _ in rows]
        wanted = sorted({pk for pk in pks if pk is not None})
        invoices = {i.id: i for i in await txns.query(principal, INV, "create_edit").filter(
            id__in=wanted, organization_id=note.organization_id).order_by("id").select_for_update()}
        total, seen = Decimal(0), set()
        planned: list[tuple[Transaction, Decimal]] = []
        for (path, _, raw_amount), pk in zip(rows, pks):
            invoice = invoices.get(pk)
            if invoice is None or pk in seen:
                errors.append(FieldError(f"{path}.invoice_id", N_("Choose a valid record.")))
                continue
            seen.add(pk)
            if invoice.contact_id != note.contact_id or invoice.currency != note.currency:
                errors.append(FieldError(f"{path}.invoice_id", N_("Credit applies to invoices of the same customer.")))
                continue
            if (why := payments.not_payable_reason(invoice)) is not None:
                errors.append(FieldError(f"{path}.invoice_id", why))
                continue
            try:
                amount = cleaning.column_decimal(CreditApplication, "amount", raw_amount)
            except cleaning.Unclean as problem:
                errors.append(FieldError(f"{path}.amount", problem.msgid, problem.params))
                continue
            if amount <= 0:
                errors.append(FieldError(f"{path}.amount", N_("Enter an amount above zero.")))
            elif not fits_minor_unit(amount, note.currency):
                errors.append(FieldError(f"{path}.amount", N_("%(currency)s amounts have at most %(digits)d decimal places."),
                                         {"currency": note.currency, "digits": minor_unit(note.currency)}))
            elif amount > invoice.balance:
                errors.append(FieldError(
                    f"{path}.amount", N_("The credit of %(amount)s is more than the balance due of %(balance)s."),
                    {"amount": format_money(amount, note.currency),
                     "balance": format_money(invoice.balance, note.currency)}))
            else:
                total += amount
                planned.append((invoice, amount))
        if not errors and total > note.balance:
            errors.append(FieldError("applications", N_("The credit of %(amount)s is more than the remaining credit of %(balance)s."),
                                     {"amount": format_money(total, note.currency),
                                      "balance": format_money(note.balance, note.currency)}))
        if errors:
            raise ValidationError(errors)
        created = []
        for invoice, amount in planned:
            created.append(await CreditApplication.create(
                organization_id=note.organization_id, credit_note_id=note.id, invoice_id=invoice.id,
                amount=amount, date=day, created_by_id=principal.user.id))
            payments.settle(invoice, credited=invoice.credit_applied + amount)
            await invoice.save()
            money = format_money(amount, note.currency)
            await history.record(invoice, "credited", N_("Credit of %(amount)s applied from %(number)s."),
                                 principal.user, amount=money, number=note.number)
            await history.record(note, "applied", N_("Credit of %(amount)s applied to %(number)s."),
                                 principal.user, amount=money, number=invoice.number)
        payments.settle(note, credited=note.credit_applied + total)
        await note.save()
    return created


async def void_application(principal: Principal, application_id: Any) -> CreditApplication:
    pk = cleaning.pk(application_id)
    found = None if pk is None else await CreditApplication.get_or_none(id=pk)
    if found is None:
        raise NotFound()
    async with in_transaction():
        note = await _note(principal, found.credit_note_id)
        invoice = await txns.get(principal, INV, found.invoice_id, "create_edit", for_update=True)
        application = await payments.void_row(CreditApplication, pk, N_("This credit application is already void."))
        payments.settle(invoice, credited=invoice.credit_applied - application.amount)
        await invoice.save()
        payments.settle(note, credited=note.credit_applied - application.amount)
        await note.save()
        money = format_money(application.amount, note.currency)
        await history.record(invoice, "credit_voided", N_("Credit of %(amount)s from %(number)s voided."),
                             principal.user, amount=money, number=note.number)
        await history.record(note, "credit_voided", N_("Credit of %(amount)s to %(number)s voided."),
                             principal.user, amount=money, number=invoice.number)
    return application


REFUND_TOO_MUCH = N_("The refund of %(amount)s is more than the remaining credit of %(balance)s.")


async def record_refund(principal: Principal, note_id: Any, data: dict[str, Any]) -> Refund:
    async with in_transaction():
        note = await txns.get(principal, CN, note_id, "create_edit", for_update=True)
        if (reason := not_usable_reason(note)) is not None:
            raise InvalidTransition(reason)
        values = payments.clean_payment(principal, note, data, REFUND_TOO_MUCH)
        refund = await Refund.create(organization_id=note.organization_id, credit_note_id=note.id,
                                     created_by_id=principal.user.id, **values)
        payments.settle(note, paid=note.amount_paid + refund.amount)
        await note.save()
        await history.record(note, "refunded", N_("Refund of %(amount)s recorded."), principal.user,
                             amount=format_money(refund.amount, note.currency))
    return refund


async def void_refund(principal: Principal, refund_id: Any) -> Refund:
    pk = cleaning.pk(refund_id)
    found = None if pk is None else await Refund.get_or_none(id=pk)
    if found is None:
        raise NotFound()
    async with in_transaction():
        note = await txns.get(principal, CN, found.credit_note_id, "create_edit", for_update=True)
        refund = await payments.void_row(Refund, pk, N_("This refund is already void."))
        payments.settle(note, paid=note.amount_paid - refund.amount)
        await note.save()
        await history.record(note, "refund_voided", N_("Refund of %(amount)s voided."), principal.user,
                             amount=format_money(refund.amount, note.currency))
    return refund


async def applications_of(principal: Principal, txn: Transaction) -> list[CreditApplication]:
    """The credit applications of a credit note or of an invoice (voided ones too: on record)."""
    require(principal, "view", txn)
    column = "credit_note_id" if txn.kind == CN else "invoice_id"
    return await CreditApplication.filter(**{column: txn.id}).order_by("date", "id")


async def refunds_of(principal: Principal, note: Transaction) -> list[Refund]:
    require(principal, "view", note)
    return await Refund.filter(credit_note_id=note.id).order_by("date", "id")


async def open_invoices_for(principal: Principal, note: Transaction) -> list[Transaction]:
    """The invoices the note's credit may go to: the customer's, open, with a balance."""
    if not principal.has(txns.module(INV), "view"):
        return []
    return await txns.query(principal, INV).filter(
        organization_id=note.organization_id, contact_id=note.contact_id, currency=note.currency,
        status__in=payments.PAYABLE, balance__gt=0).order_by("due_date", "id")
