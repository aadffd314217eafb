"""Documents in another currency than the yen: an exchange rate with its date is required, the
consumption tax per rate is also given in yen (qualified-invoice rules), conversions keep the rate."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.errors import ValidationError
from app.models import Kind, Transaction
from app.money import to_yen
from app.services import transactions, workflow
from app.services.tax import RateTotal
from tests import factories as f

RATE = {"exchange_rate": "150.25", "exchange_rate_date": "2026-11-28"}


@pytest.fixture
async def acme(org):
    return await f.make_customer(org, currency="USD", display_name="Acme Inc.")


async def refused(principal, contact, **kw) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        await f.make_transaction(principal, "invoice", contact, [("Consulting", 1, "100", 10)], **kw)
    return {e.field: e.msgid % e.params if e.params else e.msgid for e in caught.value.errors}


async def test_a_usd_invoice_needs_its_rate_and_the_rate_date(accountant, acme):
    errors = await refused(accountant, acme)
    assert errors == {"exchange_rate": "Enter the exchange rate of USD: yen per 1 USD.",
                      "exchange_rate_date": "Enter the date of the exchange rate."}
    assert "exchange_rate" in await refused(accountant, acme, exchange_rate="0", exchange_rate_date="2026-11-28")
    assert "exchange_rate" in await refused(accountant, acme, exchange_rate="-150", exchange_rate_date="2026-11-28")
    assert "exchange_rate" in await refused(accountant, acme, exchange_rate="abc", exchange_rate_date="2026-11-28")
    assert "exchange_rate" in await refused(accountant, acme, exchange_rate="1e40", exchange_rate_date="2026-11-28")
    assert "exchange_rate" in await refused(accountant, acme, exchange_rate="150.1234567",
                                            exchange_rate_date="2026-11-28")
    assert set(await refused(accountant, acme, exchange_rate="150", exchange_rate_date="2026-02-30")) == {
        "exchange_rate_date"}
    assert set(await refused(accountant, acme, exchange_rate="150", exchange_rate_date="99999-01-01")) == {
        "exchange_rate_date"}
    assert not await Transaction.exists()


async def test_a_yen_document_carries_no_rate(accountant, customer):
    txn = await f.make_transaction(accountant, "invoice", customer, **RATE)
    fresh = await Transaction.get(id=txn.id)
    assert (fresh.exchange_rate, fresh.exchange_rate_date) == (None, None)
    assert all("tax_jpy" not in row for row in fresh.tax_breakdown)


async def test_the_tax_per_rate_is_computed_in_yen_from_the_converted_amount(accountant, acme):
    txn = await f.make_transaction(accountant, "invoice", acme, [
        ("Consulting", 1, "333.33", 10), ("Lunch boxes", 1, "100", 8), ("Export", 1, "10", "export")], **RATE)
    fresh = await Transaction.get(id=txn.id)
    assert (fresh.exchange_rate, fresh.exchange_rate_date) == (Decimal("150.25"), date(2026, 11, 28))
    rows = [RateTotal.from_json(r) for r in fresh.tax_breakdown]
    # 333.33 USD x 150.25 = 50,082.83 -> ¥50,083; its 10% is 5,008.3 -> ¥5,008 (rounded down once),
    # not 33.33 USD x 150.25 = ¥5,007.83 converted afterwards.
    assert [(r.rate, r.subtotal, r.tax, r.subtotal_jpy, r.tax_jpy) for r in rows] == [
        (10, Decimal("333.33"), Decimal("33.33"), Decimal(50083), Decimal(5008)),
        (8, Decimal("100.00"), Decimal("8.00"), Decimal(15025), Decimal(1202)),
        (0, Decimal("10.00"), Decimal(0), Decimal(1503), Decimal(0)),
    ]
    assert to_yen(fresh.total, fresh.currency, fresh.exchange_rate) == Decimal(72820)  # 484.66 USD


async def test_tax_inclusive_and_half_up_rounding_in_yen(accountant, acme, org):
    org.tax_rounding = "half_up"
    await org.save()
    txn = await f.make_transaction(accountant, "invoice", acme, [("Consulting", 1, "110", 10)],
                                   prices_include_tax=True, exchange_rate="149.99", exchange_rate_date="2026-11-28")
    [row] = [RateTotal.from_json(r) for r in (await Transaction.get(id=txn.id)).tax_breakdown]
    # 110 USD x 149.99 = ¥16,498.9 -> ¥16,499 with tax; tax 16,499 x 10/110 = 1,499.9 -> ¥1,500
    assert (row.subtotal_jpy, row.tax_jpy) == (Decimal(14999), Decimal(1500))


async def test_editing_the_rate_reprices_the_yen_amounts_and_the_rate_stays_required(accountant, acme):
    txn = await f.make_transaction(accountant, "invoice", acme, [("Consulting", 1, "100", 10)], **RATE)
    await transactions.update(accountant, Kind.INVOICE, txn.id, {"exchange_rate": "140"})
    [row] = (await Transaction.get(id=txn.id)).tax_breakdown
    assert (row["subtotal_jpy"], row["tax_jpy"]) == ("14000", "1400")
    with pytest.raises(ValidationError) as caught:
        await transactions.update(accountant, Kind.INVOICE, txn.id, {"exchange_rate": "", "subject": "x"})
    assert [e.field for e in caught.value.errors] == ["exchange_rate"]
    assert (await Transaction.get(id=txn.id)).exchange_rate == Decimal(140)


async def test_converting_keeps_the_rate_and_its_date(accountant, acme):
    estimate = await f.make_transaction(accountant, "estimate", acme, [("Consulting", 1, "100", 10)], **RATE)
    await workflow.mark_sent(accountant, Kind.ESTIMATE, estimate.id)
    await workflow.accept(accountant, estimate.id)
    order = await workflow.convert(accountant, Kind.ESTIMATE, estimate.id, Kind.SALES_ORDER)
    await workflow.confirm(accountant, order.id)
    invoice = await workflow.convert(accountant, Kind.SALES_ORDER, order.id, Kind.INVOICE)
    fresh = await Transaction.get(id=invoice.id)
    assert (fresh.currency, fresh.exchange_rate, fresh.exchange_rate_date) == (
        "USD", Decimal("150.25"), date(2026, 11, 28))
    assert fresh.tax_breakdown[0]["tax_jpy"] == "1502"


@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_the_pdf_prints_the_rate_with_its_date_and_the_tax_per_rate_in_yen(accountant, acme, lang):
    from app.i18n import gettext
    from app.pdf.labels import EXCHANGE_RATE, IN_YEN, TAX_IN_YEN
    from app.services import books_pdf
    from tests.pdf.test_render import text_of

    txn = await f.make_transaction(accountant, "invoice", acme, [
        ("Consulting", 1, "333.33", 10), ("Lunch boxes", 1, "100", 8)], **RATE)
    (page,) = text_of(await books_pdf.render(await Transaction.get(id=txn.id), lang))
    day = {"ja": "2026/11/28", "en": "Nov 28, 2026"}[lang]
    assert gettext(lang, EXCHANGE_RATE) % {"currency": "USD", "rate": "150.25", "date": day} in page
    if lang == "en":
        assert "Exchange rate: 1 USD = 150.25 yen (Nov 28, 2026)" in page
    # amounts in dollars, each rate's amount and tax in yen
    for expected in ("333.33 USD", "33.33 USD", "100.00 USD", "8.00 USD", "474.66 USD",
                     gettext(lang, IN_YEN) % {"rate": "10"}, "¥50,083", "¥5,008",
                     gettext(lang, IN_YEN) % {"rate": "8"}, "¥15,025", "¥1,202", gettext(lang, TAX_IN_YEN)):
        assert expected in page, expected


async def test_a_yen_pdf_has_no_rate_line(accountant, customer):
    from app.services import books_pdf
    from tests.pdf.test_render import text_of

    txn = await f.make_transaction(accountant, "invoice", customer, **RATE)
    (page,) = text_of(await books_pdf.render(txn, "en"))
    assert "Exchange rate" not in page and "in yen" not in page


async def test_a_dollar_document_saved_without_a_rate_asks_for_it_before_converting(accountant, acme):
    from app.errors import InvalidTransition

    estimate = await f.make_transaction(accountant, "estimate", acme, [("Consulting", 1, "100", 10)], **RATE)
    await Transaction.filter(id=estimate.id).update(exchange_rate=None, exchange_rate_date=None)  # as before 0033
    with pytest.raises(InvalidTransition) as refused:
        await workflow.convert(accountant, Kind.ESTIMATE, estimate.id, Kind.INVOICE)
    assert refused.value.params == {"currency": "USD"}
    assert not await Transaction.exists(kind="invoice")
    await transactions.update(accountant, Kind.ESTIMATE, estimate.id, RATE)
    invoice = await workflow.convert(accountant, Kind.ESTIMATE, estimate.id, Kind.INVOICE)
    assert (await Transaction.get(id=invoice.id)).exchange_rate == Decimal("150.25")


async def test_an_estimate_or_order_takes_a_rate_only_when_given(accountant, acme):
    """Only the kinds that print their tax in yen (invoices, credit notes) require a rate: a
    dollar estimate (say, one the deal automation drafts) is saved without one."""
    from app.errors import InvalidTransition

    estimate = await f.make_transaction(accountant, "estimate", acme, [("Consulting", 1, "100", 10)])
    fresh = await Transaction.get(id=estimate.id)
    assert (fresh.currency, fresh.exchange_rate, fresh.total) == ("USD", None, Decimal("110"))
    assert all("tax_jpy" not in row for row in fresh.tax_breakdown)
    with pytest.raises(ValidationError) as caught:  # a rate given comes with its date
        await transactions.update(accountant, Kind.ESTIMATE, estimate.id, {"exchange_rate": "150"})
    assert {e.field for e in caught.value.errors} == {"exchange_rate_date"}
    with pytest.raises(InvalidTransition):  # the invoice it becomes needs one
        await workflow.convert(accountant, Kind.ESTIMATE, estimate.id, Kind.INVOICE)
    assert not await Transaction.exists(kind="invoice")


async def test_a_credit_note_from_a_dollar_invoice_carries_its_rate(accountant, acme):
    from app.services import credit_notes

    invoice = await f.make_transaction(accountant, "invoice", acme, [("Consulting", 1, "100", 10)], **RATE)
    await workflow.mark_sent(accountant, Kind.INVOICE, invoice.id)
    data = await credit_notes.from_invoice(accountant, invoice.id)
    assert (data["exchange_rate"], data["exchange_rate_date"]) == (Decimal("150.25"), date(2026, 11, 28))


async def test_a_dollar_credit_note_counts_its_open_credit_in_yen(accountant, acme):
    from app.services import credit_notes, receivables

    invoice = await f.make_transaction(accountant, "invoice", acme, [("Consulting", 1, "100", 10)], **RATE)
    await workflow.mark_sent(accountant, Kind.INVOICE, invoice.id)
    with pytest.raises(ValidationError) as caught:  # a qualified return invoice prints its tax in yen too
        await credit_notes.create(accountant, {"invoice_ids": [invoice.id], "lines": f.lines(("Return", 1, "10", 10))})
    assert {e.field for e in caught.value.errors} >= {"exchange_rate", "exchange_rate_date"}
    note = await credit_notes.create(accountant, {"invoice_ids": [invoice.id], "lines": f.lines(("Return", 1, "10", 10)),
                                                  **RATE})
    await workflow.mark_sent(accountant, Kind.CREDIT_NOTE, note.id)
    [row] = await receivables.summary(accountant, date(2026, 12, 1))
    assert (row.currency, row.outstanding, row.credit, row.net) == ("USD", Decimal("110"), Decimal("11"), Decimal("99"))
    # 110 USD and 11 USD at 150.25, each rounded half-up to the yen
    assert (row.outstanding_jpy, row.credit_jpy, row.net_jpy) == (Decimal(16528), Decimal(1653), Decimal(14875))
    assert receivables.yen_total([row]).net == Decimal(14875)
