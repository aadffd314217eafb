"""A sales order's document discount (amount or percent) goes onto the invoices billing it: whole
when the order is converted at once, otherwise as discount lines (値引) per tax category that
carry the share of the discount going with the lines billed, so the parts an order is billed in
add up to its own totals; orders whose prices include tax (内税) make a 内税 invoice, and orders
of mixed pricing are not consolidated together."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.errors import ValidationError
from app.models import Kind, Status, TaxCategory, Transaction, TransactionLine
from app.services import consolidation, tax, workflow
from app.services import transactions as txns
from tests.books.orders import confirmed_order, consolidate


def _line(description, rate, tax_rate=10, delivered=None):
    return {"description": description, "quantity": 1, "rate": rate, "tax_rate": tax_rate,
            **({"delivery_date": delivered} if delivered else {})}


async def _discount_lines(invoice):
    return [(line.description, line.tax_category, line.amount)
            for line in await TransactionLine.filter(transaction_id=invoice.id).order_by("position")
            if line.rate < 0]


async def test_a_consolidated_invoice_keeps_each_orders_discount(accountant, twentieth):
    amount_off = await confirmed_order(accountant, twentieth, "2026-11-02", [_line("設計", 100000)],
                                       discount_type="amount", discount_value=10000)
    percent_off = await confirmed_order(accountant, twentieth, "2026-11-03", [_line("お弁当", 5000, 8), _line("作業", 20000)],
                                        discount_type="percent", discount_value=10)
    plain = await confirmed_order(accountant, twentieth, "2026-11-04", [_line("保守", 3000)])

    shown = await consolidation.preview(accountant, twentieth.id, "2026-11-20")
    assert [b.row["rate"] for b in shown.discounts[percent_off.id]] == [Decimal(-2000), Decimal(-500)]
    assert plain.id not in shown.discounts
    invoice = await consolidate(accountant, twentieth, "2026-11-20")

    assert invoice.total == shown.total == amount_off.total + percent_off.total + plain.total
    assert invoice.subtotal == Decimal(90000 + 22500 + 3000)
    assert invoice.discount_value == 0  # the discounts are lines, each of its order
    assert await _discount_lines(invoice) == [
        (f"{amount_off.number} 値引", TaxCategory.STANDARD, Decimal(-10000)),
        (f"{percent_off.number} 値引", TaxCategory.STANDARD, Decimal(-2000)),
        (f"{percent_off.number} 値引", TaxCategory.REDUCED, Decimal(-500)),
    ]
    discounts = await TransactionLine.filter(transaction_id=invoice.id, rate__lt=0)
    assert {line.source_order_id for line in discounts} == {amount_off.id, percent_off.id}
    for order in (amount_off, percent_off, plain):
        await order.refresh_from_db()
        assert order.status == Status.INVOICED


async def test_an_order_billed_in_parts_is_discounted_once(accountant, twentieth):
    # 10,000 off 100,000 of standard-rate and 50,000 of reduced-rate lines: 6,667 and 3,333
    order = await confirmed_order(accountant, twentieth, "2026-11-05", [
        _line("設計", 60000), _line("食品", 50000, 8, "2026-12-01"), _line("据付", 40000, 10, "2026-12-02")],
        discount_type="amount", discount_value=10000)
    first = await consolidate(accountant, twentieth, "2026-11-20")
    assert await _discount_lines(first) == [(f"{order.number} 値引", TaxCategory.STANDARD, Decimal(-4000))]
    second = await consolidate(accountant, twentieth, "2026-12-20")
    assert await _discount_lines(second) == [
        (f"{order.number} 値引", TaxCategory.STANDARD, Decimal(-2667)),
        (f"{order.number} 値引", TaxCategory.REDUCED, Decimal(-3333)),
    ]
    # the parts add up to the order: nothing discounted twice, nothing lost to rounding
    assert first.subtotal + second.subtotal == order.subtotal == Decimal(140000)
    by_rate = {row["rate"]: Decimal(row["subtotal"]) for row in order.tax_breakdown}
    assert by_rate == {"10": Decimal(93333), "8": Decimal(46667)}


async def test_converting_what_is_left_does_not_discount_the_order_again(accountant, twentieth):
    order = await confirmed_order(accountant, twentieth, "2026-11-05", [_line("前半", 30000), _line("後半", 10000, 10, "2026-12-01")],
                                  discount_type="amount", discount_value=4000)
    first = await consolidate(accountant, twentieth, "2026-11-20")
    rest = await workflow.convert(accountant, Kind.SALES_ORDER, order.id, Kind.INVOICE)
    assert rest.discount_value == 0
    assert await _discount_lines(rest) == [(f"{order.number} 値引", TaxCategory.STANDARD, Decimal(-1000))]
    assert (first.subtotal, rest.subtotal) == (Decimal(27000), Decimal(9000))
    assert first.total + rest.total == order.total == Decimal(39600)

    # voided, the rest is converted again with the same share
    await workflow.void(accountant, Kind.INVOICE, rest.id)
    again = await workflow.convert(accountant, Kind.SALES_ORDER, order.id, Kind.INVOICE)
    assert again.total == rest.total


async def test_an_order_converted_whole_keeps_its_document_discount(accountant, twentieth):
    order = await confirmed_order(accountant, twentieth, "2026-11-05", [_line("作業", 30000)],
                                  discount_type="percent", discount_value=5)
    invoice = await workflow.convert(accountant, Kind.SALES_ORDER, order.id, Kind.INVOICE)
    assert (invoice.discount_type, invoice.discount_value) == (order.discount_type, order.discount_value)
    assert await _discount_lines(invoice) == [] and invoice.total == order.total == Decimal(31350)


async def test_tax_inclusive_orders_make_a_tax_inclusive_invoice(accountant, twentieth):
    a = await confirmed_order(accountant, twentieth, "2026-11-02", [_line("作業", 11000)], prices_include_tax=True)
    b = await confirmed_order(accountant, twentieth, "2026-11-03", [_line("お弁当", 1080, 8)], prices_include_tax=True,
                              discount_type="amount", discount_value=108)
    invoice = await consolidate(accountant, twentieth, "2026-11-20")
    assert invoice.prices_include_tax
    assert invoice.total == a.total + b.total == Decimal(11000 + 972)
    assert invoice.tax_total == Decimal(1000 + 72)


async def test_orders_of_mixed_pricing_are_not_consolidated(accountant, twentieth):
    a = await confirmed_order(accountant, twentieth, "2026-11-02", [_line("作業", 11000)], prices_include_tax=True)
    b = await confirmed_order(accountant, twentieth, "2026-11-03", [_line("作業", 10000)])
    with pytest.raises(ValidationError) as shown:
        await consolidation.preview(accountant, twentieth.id, "2026-11-20")
    with pytest.raises(ValidationError) as refused:
        await consolidate(accountant, twentieth, "2026-11-20")
    for raised in (shown, refused):
        error = raised.value.errors[0]
        assert error.field == "period_end" and error.params["orders"] == f"{a.number}, {b.number}"
    assert not await Transaction.filter(kind=Kind.INVOICE).exists()
    for order in (a, b):
        await order.refresh_from_db()
        assert order.status == Status.CONFIRMED
    # one by one they are invoiced, each with its own pricing
    one = await workflow.convert(accountant, Kind.SALES_ORDER, a.id, Kind.INVOICE)
    assert one.prices_include_tax and one.total == Decimal(11000)


def test_billed_shares_add_up_to_the_discount_however_the_lines_are_split():
    amounts = [Decimal(x) for x in (333, 333, 334, 1, 999)]
    whole = sum(amounts)
    for discount in (Decimal(1), Decimal(7), Decimal(1000), whole):
        for cut in range(len(amounts) + 1):
            before = sum(amounts[:cut], Decimal(0))
            parts = [tax.billed_share(discount, whole, Decimal(0), before, "JPY"),
                     tax.billed_share(discount, whole, before, whole, "JPY")]
            assert sum(parts) == discount and all(p >= 0 for p in parts)
    assert tax.billed_share(Decimal("10.01"), Decimal(3), Decimal(0), Decimal(1), "USD") == Decimal("3.34")


async def test_the_pdf_prints_each_orders_discount_line(accountant, twentieth):
    from io import BytesIO

    from pypdf import PdfReader

    from app.services import books_pdf

    order = await confirmed_order(accountant, twentieth, "2026-11-02", [_line("設計", 100000)],
                                  discount_type="amount", discount_value=10000)
    invoice = await consolidate(accountant, twentieth, "2026-11-20")
    pdf = await books_pdf.render(invoice, "ja")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages).split())
    assert f"{order.number} 値引" in text and "-¥10,000" in text and "¥99,000" in text
