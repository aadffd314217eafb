"""Credit notes (適格返還請求書): an amount returned on one or more invoices of one customer, for
a return (返品), a discount (値引) or a rebate (割戻). A credit note is a transaction of its own
kind (app.kinds): numbered gaplessly (`CN-00001`), with lines, tax categories and per-rate totals
as an invoice (app.services.transactions prices them), plus the invoices it refers to and its
reason. Once sent it is open: its credit is applied to invoices or refunded
(app.services.credit_applications) until none remains (closed).

Input is a transaction's dict (app.services.transactions) plus `invoice_ids` (the original sales)
and `reason`; the customer defaults to the invoices'.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from app import cleaning
from app.errors import FieldError, NotFound, ValidationError
from app.i18n import N_, gettext
from app.models import CreditNoteInvoice, Kind, Status, Transaction
from app.money import format_money
from app.permissions import Principal, require
from app.services import history
from app.services import transactions as txns

CN, INV = Kind.CREDIT_NOTE, Kind.INVOICE
REASONS = {"return": N_("Return"), "discount": N_("Discount"), "rebate": N_("Rebate")}
# The invoices a credit note may refer to: issued and not void.
CREDITABLE = (Status.SENT, Status.VIEWED, Status.PARTIALLY_PAID, Status.PAID)
OWN_FIELDS = ("invoice_ids", "reason")
MAX_INVOICES = 50


async def _references(principal: Principal, data: dict[str, Any], instance: Transaction | None,
                      errors: list[FieldError]) -> list[Transaction] | None:
    """The invoices named by `invoice_ids` (None when not given on an edit)."""
    if "invoice_ids" not in data and instance is not None:
        return None
    raw = data.get("invoice_ids")
    if isinstance(raw, (str, int)):
        raw = [raw]
    if not isinstance(raw, (list, tuple)) or not raw:
        errors.append(FieldError("invoice_ids", N_("Choose at least one invoice.")))
        return []
    if len(raw) > MAX_INVOICES:
        errors.append(FieldError("invoice_ids", N_("Choose at most %(max)d invoices."), {"max": MAX_INVOICES}))
        return []
    pks = [cleaning.pk(value) for value in raw]
    if None in pks:
        errors.append(FieldError("invoice_ids", N_("Choose a valid record.")))
        return []
    invoices = await txns.query(principal, INV).filter(id__in=sorted(set(pks)))
    org_id = instance.organization_id if instance is not None else cleaning.pk(
        data.get("organization_id") or principal.current_organization_id or 0)
    if len(invoices) != len(set(pks)) or any(i.organization_id != org_id for i in invoices):
        errors.append(FieldError("invoice_ids", N_("Choose a valid record.")))
        return []
    if any(i.status not in CREDITABLE for i in invoices):
        errors.append(FieldError("invoice_ids", N_("A credit note refers to invoices that were sent and are not void.")))
    if len({i.contact_id for i in invoices}) > 1:
        errors.append(FieldError("invoice_ids", N_("The invoices of a credit note belong to one customer.")))
    return sorted(invoices, key=lambda i: (i.issue_date, i.id))


async def creditable(principal: Principal, organization_id: int, contact_id: int | None = None,
                     keep: list[int] | tuple[int, ...] = (), limit: int = 500) -> list[Transaction]:
    """The invoices a credit note may refer to, for a form: those in `keep` (already chosen, shown
    whatever became of them), then the invoices the principal sees that were sent and are not
    void; only the customer `contact_id`'s when given; newest first, `limit` in all."""
    query = txns.query(principal, INV).filter(organization_id=organization_id)
    if contact_id is not None:
        query = query.filter(contact_id=contact_id)
    kept = await query.filter(id__in=list(keep)).order_by("-issue_date", "-id").select_related(
        "contact") if keep else []
    more = query.filter(status__in=CREDITABLE).exclude(id__in=[i.id for i in kept] or [0])
    left = max(limit - len(kept), 0)
    return kept + (await more.order_by("-issue_date", "-id").limit(left).select_related("contact") if left else [])


def _reason(data: dict[str, Any], instance: Transaction | None, errors: list[FieldError]) -> str | None:
    if "reason" not in data and instance is not None:
        return None
    value = str(data.get("reason") or "return")
    if value not in REASONS:
        errors.append(FieldError("reason", N_("Choose one of the offered values.")))
        return None
    return value


async def _check(principal: Principal, data: dict[str, Any], instance: Transaction | None
                 ) -> tuple[dict[str, Any], list[Transaction] | None, str | None, list[FieldError]]:
    errors: list[FieldError] = list(cleaning.unstorable(data))
    if errors:
        raise ValidationError(errors)
    rest = {k: v for k, v in data.items() if k not in OWN_FIELDS}
    invoices = await _references(principal, data, instance, errors)
    reason = _reason(data, instance, errors)
    if invoices:
        contact_id = invoices[0].contact_id
        given = rest.get("contact_id", instance.contact_id if instance else None)
        if given in (None, ""):
            rest["contact_id"] = contact_id
        elif cleaning.pk(given) != contact_id:
            errors.append(FieldError("contact_id", N_("The invoices of a credit note belong to one customer.")))
    if instance is None and rest.get("transaction_date") in (None, ""):
        rest["transaction_date"] = rest.get("issue_date") or txns.today_in(principal)  # the date of the return
    return rest, invoices, reason, errors


async def _limit(txn: Transaction, invoices: list[Transaction], errors: list[FieldError]) -> None:
    """A credit note returns an amount above zero and at most what its invoices billed less what
    other credit notes on them (not void) already return. The invoices' rows are locked first, so
    two credit notes written at once cannot return the same amount twice."""
    if txn.total <= 0:
        errors.append(FieldError("lines", N_("A credit note returns an amount above zero.")))
    if not invoices:
        return
    ids = sorted(i.id for i in invoices)
    await Transaction.filter(id__in=ids).order_by("id").select_for_update().values_list("id", flat=True)
    others = await CreditNoteInvoice.filter(invoice_id__in=ids).exclude(credit_note_id=txn.id).values_list(
        "credit_note_id", flat=True)
    returned = sum(await Transaction.filter(id__in=set(others)).exclude(status=Status.VOID).values_list(
        "total", flat=True), Decimal(0))
    cap = sum((i.total for i in invoices), Decimal(0)) - returned
    if txn.total > cap:
        errors.append(FieldError(
            "lines", N_("The credit of %(amount)s is more than what the invoices still have to return: %(total)s."),
            {"amount": format_money(txn.total, txn.currency), "total": format_money(max(cap, Decimal(0)), txn.currency)}))


async def create(principal: Principal, data: dict[str, Any]) -> Transaction:
    require(principal, "create_edit", txns.module(CN))
    rest, invoices, reason, errors = await _check(principal, data, None)
    async with in_transaction():
        try:
            txn = await txns.insert(principal, CN, rest)
        except ValidationError as invalid:
            raise ValidationError(errors + invalid.errors) from None
        await _limit(txn, invoices or [], errors)
        if errors:
            raise ValidationError(errors)  # rolls the number back
        txn.credit_reason = reason or "return"
        await txn.save(update_fields=["credit_reason"])
        await CreditNoteInvoice.bulk_create(
            [CreditNoteInvoice(credit_note_id=txn.id, invoice_id=i.id) for i in invoices or []])
        for invoice in invoices or []:
            await history.record(invoice, "credited", N_("Credit note %(number)s issued."), principal.user,
                                 number=txn.number)
    return txn


async def update(principal: Principal, record_id: Any, data: dict[str, Any]) -> Transaction:
    current = await txns.get(principal, CN, record_id, "create_edit")
    rest, invoices, reason, errors = await _check(principal, data, current)
    async with in_transaction():
        try:
            txn = await txns.update(principal, CN, record_id, rest) if rest else await txns.get(
                principal, CN, record_id, "create_edit", for_update=True)
        except ValidationError as invalid:
            raise ValidationError(errors + invalid.errors) from None
        if invoices is None:
            invoices = await referenced_invoices(txn)
        await _limit(txn, invoices, errors)
        if errors:
            raise ValidationError(errors)
        if reason is not None:
            txn.credit_reason = reason
            await txn.save(update_fields=["credit_reason"])
        if "invoice_ids" in data:
            await CreditNoteInvoice.filter(credit_note_id=txn.id).delete()
            await CreditNoteInvoice.bulk_create(
                [CreditNoteInvoice(credit_note_id=txn.id, invoice_id=i.id) for i in invoices])
    return txn


async def referenced_invoices(credit_note: Transaction) -> list[Transaction]:
    """The invoices a credit note refers to, oldest first (what its PDF prints)."""
    ids = await CreditNoteInvoice.filter(credit_note_id=credit_note.id).values_list("invoice_id", flat=True)
    return await Transaction.filter(id__in=list(ids)).order_by("issue_date", "id")


async def credit_notes_of_invoice(principal: Principal, invoice: Transaction) -> list[Transaction]:
    """The credit notes the user may see that refer to `invoice` (its page lists them)."""
    ids = await CreditNoteInvoice.filter(invoice_id=invoice.id).values_list("credit_note_id", flat=True)
    if not principal.has(txns.module(CN), "view"):
        return []
    return await txns.query(principal, CN).filter(id__in=list(ids)).order_by("issue_date", "id")


def sale_date(invoice: Transaction) -> date:
    """The date of the original sale a credit note prints: the invoice's transaction date, else
    its issue date."""
    return invoice.transaction_date or invoice.issue_date


def credited_text(invoices: list[Transaction], lang: str) -> str:
    """The original sales a credit note prints: each invoice's number, transaction date and total."""
    from app.formatting import format_money as money
    from app.pdf.labels import format_date

    label = gettext(lang, N_("Transaction date"))
    return "\n".join(f"{i.number}  {label}: {format_date(sale_date(i), lang)}  {money(i.total, i.currency, lang)}"
                     for i in invoices)


async def from_invoice(principal: Principal, invoice_id: Any) -> dict[str, Any]:
    """A new credit note's input prefilled from an invoice: its customer, pricing, exchange rate
    and lines, for the user to reduce to what goes back."""
    invoice = await txns.get(principal, INV, invoice_id)
    require(principal, "create_edit", txns.module(CN))
    if invoice.status not in CREDITABLE:
        raise NotFound(N_("A credit note refers to invoices that were sent and are not void."))
    return {"organization_id": invoice.organization_id, "contact_id": invoice.contact_id,
            "invoice_ids": [invoice.id], "reason": "return", "reference": invoice.number,
            "lines": txns.line_data(await txns.lines_of(invoice)),
            "exchange_rate": invoice.exchange_rate, "exchange_rate_date": invoice.exchange_rate_date,
            **{k: v for k, v in txns.pricing_data(invoice).items() if k in ("prices_include_tax",)}}
