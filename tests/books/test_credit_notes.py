"""Credit notes (適格返還請求書): created against a customer's invoices and numbered gaplessly,
priced per tax rate like invoices; their credit applied to open invoices or refunded, never more
than an invoice's balance nor the note's remaining credit; voids give the amounts back; the
receivables count what was applied and what is left."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import pytest

from app.errors import InvalidTransition, ValidationError
from app.models import CreditApplication, CreditNoteInvoice, Kind, Status, Transaction
from app.services import credit_applications as credits
from app.services import credit_notes, payments, receivables, workflow
from tests import factories as f


async def _reload(txn: Transaction) -> Transaction:
    return await Transaction.get(id=txn.id)


async def test_numbered_gaplessly_per_organization_with_references(accountant, customer, org):
    inv = await f.make_sent_invoice(accountant, customer, [("作業", 1, 10000, 10)])
    first = await f.make_credit_note(accountant, [inv], reason="discount")
    with pytest.raises(ValidationError):  # refused: its number is given back
        await f.make_credit_note(accountant, [inv], [("返品", 1, 999999, 10)])
    second = await f.make_credit_note(accountant, [inv])
    assert (first.number, second.number) == ("CN-00001", "CN-00002")
    assert (first.kind, first.contact_id, first.credit_reason) == (Kind.CREDIT_NOTE, customer.id, "discount")
    assert await CreditNoteInvoice.filter(credit_note_id=first.id).values_list("invoice_id", flat=True) == [inv.id]
    assert first.transaction_date == first.issue_date  # the date of the return
    org.credit_note_prefix = "RET-"
    await org.save()
    assert (await f.make_credit_note(accountant, [inv])).number == "RET-00003"


async def test_per_rate_amounts_and_tax_as_invoices(accountant, customer):
    inv = await f.make_sent_invoice(accountant, customer, [("作業", 1, 10000, 10), ("お弁当", 5, 1000, 8)])
    note = await f.make_credit_note(accountant, [inv], [("作業 返品", 1, 2000, 10), ("お弁当 返品", 1, 1000, 8)])
    rates = {r["rate"]: (Decimal(r["subtotal"]), Decimal(r["tax"])) for r in note.tax_breakdown}
    assert rates == {"10": (Decimal(2000), Decimal(200)), "8": (Decimal(1000), Decimal(80))}
    assert (note.total, note.balance, note.status) == (Decimal(3280), Decimal(3280), Status.DRAFT)
    inclusive = await f.make_credit_note(accountant, [inv], [("作業 返品", 1, 1100, 10)], prices_include_tax=True)
    assert (inclusive.tax_total, inclusive.total) == (Decimal(100), Decimal(1100))


async def test_references_are_checked(accountant, customer, org):
    other = await f.make_customer(org)
    inv = await f.make_sent_invoice(accountant, customer)
    elsewhere = await f.make_sent_invoice(accountant, other)
    draft = await f.make_transaction(accountant, "invoice", customer)
    cases = [([], "Choose at least one invoice."),
             ([inv.id, elsewhere.id], "The invoices of a credit note belong to one customer."),
             ([draft.id], "A credit note refers to invoices that were sent and are not void."),
             (["x"], "Choose a valid record.")]
    for ids, message in cases:
        with pytest.raises(ValidationError) as err:
            await credit_notes.create(accountant, {"invoice_ids": ids, "lines": f.lines(("返品", 1, 100, 10))})
        assert message in [e.message for e in err.value.errors]
    with pytest.raises(ValidationError) as err:
        await credit_notes.create(accountant, {"invoice_ids": [inv.id], "reason": "gift",
                                               "lines": f.lines(("返品", 1, 100000, 10))})
    assert {e.field for e in err.value.errors} == {"reason", "lines"}
    assert not await Transaction.filter(kind=Kind.CREDIT_NOTE).exists()


async def test_credit_notes_on_one_invoice_never_return_more_than_it_billed(accountant, customer):
    inv = await f.make_sent_invoice(accountant, customer, [("作業", 1, 10000, 10)])  # 11,000
    first = await f.make_credit_note(accountant, [inv], [("返品", 1, 6000, 10)])  # 6,600
    with pytest.raises(ValidationError) as err:
        await f.make_credit_note(accountant, [inv], [("返品", 1, 5000, 10)])  # 5,500 > 4,400 left
    assert [e.message for e in err.value.errors] == [
        "The credit of ¥5,500 is more than what the invoices still have to return: ¥4,400."]
    await f.make_credit_note(accountant, [inv], [("返品", 1, 4000, 10)])  # exactly what is left
    await workflow.void(accountant, Kind.CREDIT_NOTE, first.id)  # a void note returns nothing
    third = await f.make_credit_note(accountant, [inv], [("返品", 1, 6000, 10)])
    assert [n.number for n in (first, third)] == ["CN-00001", "CN-00003"]


async def test_apply_settles_invoices_and_closes_the_note(accountant, customer):
    a = await f.make_sent_invoice(accountant, customer, [("作業", 1, 10000, 10)])  # 11,000
    b = await f.make_sent_invoice(accountant, customer, [("作業", 1, 1000, 10)])  # 1,100
    note = await f.make_credit_note(accountant, [a], [("返品", 1, 5000, 10)], sent=True)  # 5,500
    await payments.record_payment(accountant, a.id, {"amount": 6000})
    await credits.apply_credit(accountant, note.id, [{"invoice_id": a.id, "amount": 4400},
                                                     {"invoice_id": b.id, "amount": "1,100"}])
    a, b, note = await _reload(a), await _reload(b), await _reload(note)
    assert (a.amount_paid, a.credit_applied, a.balance, a.status) == (
        Decimal(6000), Decimal(4400), Decimal(600), Status.PARTIALLY_PAID)
    assert (b.balance, b.status) == (Decimal(0), Status.PAID)  # covered by credit alone
    assert (note.credit_applied, note.balance, note.status) == (Decimal(5500), Decimal(0), Status.CLOSED)
    with pytest.raises(InvalidTransition) as err:
        await credits.apply_credit(accountant, note.id, [{"invoice_id": a.id, "amount": 1}])
    assert err.value.message == "The credit of this credit note is used up."


async def test_apply_limits(accountant, customer, org):
    a = await f.make_sent_invoice(accountant, customer, [("作業", 1, 1000, 10)])  # 1,100
    c = await f.make_sent_invoice(accountant, customer, [("作業", 1, 10000, 10)])  # 11,000
    other = await f.make_sent_invoice(accountant, await f.make_customer(org))
    draft = await f.make_credit_note(accountant, [c], [("返品", 1, 2000, 10)])  # 2,200
    with pytest.raises(InvalidTransition) as err:
        await credits.apply_credit(accountant, draft.id, [{"invoice_id": a.id, "amount": 100}])
    assert err.value.message == "Send the credit note (or mark it as sent) before using its credit."
    note = await workflow.mark_sent(accountant, Kind.CREDIT_NOTE, draft.id)
    with pytest.raises(ValidationError) as err:
        await credits.apply_credit(accountant, note.id, [{"invoice_id": a.id, "amount": 1101}])
    assert err.value.errors[0].message == "The credit of ¥1,101 is more than the balance due of ¥1,100."
    with pytest.raises(ValidationError) as err:
        await credits.apply_credit(accountant, note.id, [{"invoice_id": a.id, "amount": 1100},
                                                         {"invoice_id": c.id, "amount": 1101}])
    assert err.value.errors[0].message == "The credit of ¥2,201 is more than the remaining credit of ¥2,200."
    with pytest.raises(ValidationError) as err:
        await credits.apply_credit(accountant, note.id, [{"invoice_id": other.id, "amount": 1}])
    assert err.value.errors[0].message == "Credit applies to invoices of the same customer."
    with pytest.raises(ValidationError) as err:
        await credits.apply_credit(accountant, note.id, [{"invoice_id": a.id, "amount": "0"}])
    assert err.value.errors[0].message == "Enter an amount above zero."
    assert not await CreditApplication.exists()
    assert (await _reload(a)).balance == Decimal(1100) and (await _reload(note)).balance == Decimal(2200)


async def test_concurrent_applications_cannot_over_apply(accountant, customer, is_postgres):
    a = await f.make_sent_invoice(accountant, customer, [("作業", 1, 10000, 10)])
    b = await f.make_sent_invoice(accountant, customer, [("作業", 1, 10000, 10)])
    note = await f.make_credit_note(accountant, [a], [("返品", 1, 5000, 10)], sent=True)  # 5,500
    results = await asyncio.gather(
        *(credits.apply_credit(accountant, note.id, [{"invoice_id": inv.id, "amount": 4000}]) for inv in (a, b, a)),
        return_exceptions=True)
    assert sum(isinstance(r, list) for r in results) == 1, results
    assert all(isinstance(r, (list, ValidationError, InvalidTransition)) for r in results), results
    note = await _reload(note)
    assert (note.credit_applied, note.balance) == (Decimal(4000), Decimal(1500))


async def test_voiding_an_application_gives_the_amounts_back(accountant, customer):
    inv = await f.make_sent_invoice(accountant, customer, [("作業", 1, 1000, 10)])
    note = await f.make_credit_note(accountant, [inv], [("返品", 1, 1000, 10)], sent=True)
    [applied] = await credits.apply_credit(accountant, note.id, [{"invoice_id": inv.id, "amount": 1100}])
    assert (await _reload(inv)).status == Status.PAID
    with pytest.raises(InvalidTransition):  # the invoice keeps credit: not void while it does
        await workflow.void(accountant, Kind.INVOICE, inv.id)
    with pytest.raises(InvalidTransition):
        await workflow.void(accountant, Kind.CREDIT_NOTE, note.id)
    await credits.void_application(accountant, applied.id)
    inv, note = await _reload(inv), await _reload(note)
    assert (inv.balance, inv.status, note.balance, note.status) == (Decimal(1100), Status.SENT, Decimal(1100), Status.SENT)
    with pytest.raises(InvalidTransition):
        await credits.void_application(accountant, applied.id)
    await workflow.void(accountant, Kind.CREDIT_NOTE, note.id)
    assert (await _reload(note)).status == Status.VOID


async def test_refunds_limited_to_remaining_credit_and_voidable(accountant, customer):
    inv = await f.make_sent_invoice(accountant, customer, [("作業", 1, 10000, 10)])
    note = await f.make_credit_note(accountant, [inv], [("返品", 1, 2000, 10)], sent=True)  # 2,200
    await credits.apply_credit(accountant, note.id, [{"invoice_id": inv.id, "amount": 1000}])
    with pytest.raises(ValidationError) as err:
        await credits.record_refund(accountant, note.id, {"amount": 1201})
    assert err.value.errors[0].message == "The refund of ¥1,201 is more than the remaining credit of ¥1,200."
    refund = await credits.record_refund(accountant, note.id, {"amount": 1200, "mode": "bank_transfer",
                                                               "reference": "返金1", "date": "2026-11-20"})
    note = await _reload(note)
    assert (refund.date, note.amount_paid, note.balance, note.status) == (
        date(2026, 11, 20), Decimal(1200), Decimal(0), Status.CLOSED)
    await credits.void_refund(accountant, refund.id)
    note = await _reload(note)
    assert (note.balance, note.status) == (Decimal(1200), Status.SENT)
    with pytest.raises(InvalidTransition):
        await credits.void_refund(accountant, refund.id)


async def test_a_zero_invoice_stays_settled(accountant, customer):
    zero = await f.make_sent_invoice(accountant, customer, [("無償", 1, 0, 10)])
    assert zero.status == Status.PAID
    payments.settle(zero)
    assert (zero.status, zero.balance) == (Status.PAID, Decimal(0))


async def test_receivables_count_applied_and_unapplied_credit(accountant, customer, org):
    today = date(2026, 11, 30)
    a = await f.make_sent_invoice(accountant, customer, [("作業", 1, 10000, 10)])  # 11,000
    note = await f.make_credit_note(accountant, [a], [("返品", 1, 3000, 10)], sent=True)  # 3,300
    await credits.apply_credit(accountant, note.id, [{"invoice_id": a.id, "amount": 1300}])
    only_credit = await f.make_customer(org, display_name="株式会社クレジット")
    b = await f.make_sent_invoice(accountant, only_credit, [("作業", 1, 1000, 10)])
    other_note = await f.make_credit_note(accountant, [b], [("返品", 1, 1000, 10)], sent=True)
    await payments.record_payment(accountant, b.id, {"amount": 1100})
    rows = {r.contact_id: r for r in await receivables.summary(accountant, today, org.id)}
    row = rows[customer.id]
    assert (row.invoiced, row.credited, row.outstanding, row.credit, row.net) == (
        Decimal(11000), Decimal(1300), Decimal(9700), Decimal(2000), Decimal(7700))
    assert (rows[only_credit.id].outstanding, rows[only_credit.id].credit, rows[only_credit.id].net) == (
        Decimal(0), Decimal(1100), Decimal(-1100))
    await f.make_credit_note(accountant, [a], [("下書き", 1, 100, 10)])  # a draft is no credit yet
    await workflow.void(accountant, Kind.CREDIT_NOTE, other_note.id)
    rows = {r.contact_id: r for r in await receivables.summary(accountant, today, org.id)}
    assert (rows[customer.id].credit, rows[only_credit.id].credit) == (Decimal(2000), Decimal(0))
