"""Line-level billing (締め日 with 納品日): a sales order's lines delivered on different dates are
billed in the closing period each is delivered in, never twice; the order is invoiced once
every line is billed; voiding an invoice gives back exactly its lines; converting an order
into an invoice bills only what is left."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from tortoise import connections

from app.errors import InvalidTransition, ValidationError
from app.models import Kind, Status, Transaction, TransactionLine
from app.services import billing, consolidation, workflow
from app.services import transactions as txns
from tests.books.orders import confirmed_order, consolidate


def _line(description, rate, delivered=None):
    return {"description": description, "quantity": 1, "rate": rate, "tax_rate": 10,
            **({"delivery_date": delivered} if delivered else {})}


async def _billed(order):
    return [line.billed_line_id is not None
            for line in await TransactionLine.filter(transaction_id=order.id).order_by("position")]


async def test_lines_are_billed_in_the_period_they_are_delivered_in(accountant, twentieth):
    order = await confirmed_order(accountant, twentieth, "2026-11-05", [
        _line("設計", 100000), _line("納品物", 50000, "2026-11-25"), _line("据付", 20000, "2026-11-18")])
    shown = await consolidation.preview(accountant, twentieth.id, "2026-11-20")
    assert [line.description for line in shown.lines[order.id]] == ["設計", "据付"]
    assert shown.left == {order.id: 1}  # the line delivered on 11/25 waits for the next period
    assert sorted(shown.delivered.values()) == [date(2026, 11, 5), date(2026, 11, 18)]

    first = await consolidate(accountant, twentieth, "2026-11-20")
    assert first.total == 132000
    await order.refresh_from_db()
    assert order.status == Status.CONFIRMED  # partly invoiced
    assert await _billed(order) == [True, False, True]
    assert billing.is_partly_billed(await billing.of_order(order))
    invoice_lines = await TransactionLine.filter(transaction_id=first.id).order_by("position")
    # each invoice line keeps its order and the delivery date of the line it bills
    assert [(line.source_order_id, line.delivery_date) for line in invoice_lines] == [
        (order.id, date(2026, 11, 5)), (order.id, date(2026, 11, 18))]
    with pytest.raises(ValidationError):  # nothing else was delivered in that period
        await consolidate(accountant, twentieth, "2026-11-20")

    second = await consolidate(accountant, twentieth, "2026-12-20")
    assert second.total == 55000 and (second.transaction_date, second.transaction_date_end) == (
        date(2026, 11, 21), date(2026, 12, 20))
    await order.refresh_from_db()
    assert (order.status, order.billed_by_id) == (Status.INVOICED, second.id)
    assert [b.invoice.id for b in await billing.of_order(order)] == [first.id, second.id, first.id]
    assert not billing.is_partly_billed(await billing.of_order(order))


async def test_a_line_without_its_own_date_is_delivered_on_the_orders_delivery_date(accountant, twentieth):
    late = await confirmed_order(accountant, twentieth, "2026-11-15", [_line("部品", 1000)], due_date="2026-11-22")
    plain = await confirmed_order(accountant, twentieth, "2026-11-16", [_line("作業", 2000)])
    shown = await consolidation.preview(accountant, twentieth.id, "2026-11-20")
    assert [o.id for o in shown.orders] == [plain.id]
    later = await consolidation.preview(accountant, twentieth.id, "2026-12-20")
    assert [o.id for o in later.orders] == [late.id]


async def test_voiding_releases_exactly_its_lines(accountant, twentieth):
    order = await confirmed_order(accountant, twentieth, "2026-11-05", [_line("前半", 1000), _line("後半", 2000, "2026-12-01")])
    first = await consolidate(accountant, twentieth, "2026-11-20")
    second = await consolidate(accountant, twentieth, "2026-12-20")
    await workflow.void(accountant, Kind.INVOICE, first.id)
    await order.refresh_from_db()
    assert (order.status, order.billed_by_id) == (Status.CONFIRMED, second.id)
    assert await _billed(order) == [False, True]
    again = await consolidate(accountant, twentieth, "2026-11-20")
    assert again.total == 1100
    await order.refresh_from_db()
    assert order.status == Status.INVOICED


async def test_conversion_bills_only_the_lines_left(accountant, twentieth):
    order = await confirmed_order(accountant, twentieth, "2026-11-05", [_line("前半", 1000), _line("後半", 2000, "2026-12-01")])
    await consolidate(accountant, twentieth, "2026-11-20")
    invoice = await workflow.convert(accountant, Kind.SALES_ORDER, order.id, Kind.INVOICE)
    lines = await TransactionLine.filter(transaction_id=invoice.id)
    assert [(line.description, line.source_order_id, line.delivery_date) for line in lines] == [
        ("後半", order.id, date(2026, 12, 1))]
    assert invoice.total == 2200
    await order.refresh_from_db()
    assert (order.status, order.billed_by_id) == (Status.INVOICED, invoice.id)
    with pytest.raises(InvalidTransition):  # invoiced: nothing is converted twice
        await workflow.convert(accountant, Kind.SALES_ORDER, order.id, Kind.INVOICE)
    await Transaction.filter(id=order.id).update(status=Status.CONFIRMED)  # as a stale page would see it
    with pytest.raises(InvalidTransition) as refused:
        await workflow.convert(accountant, Kind.SALES_ORDER, order.id, Kind.INVOICE)
    assert refused.value.render(lambda m: m) == "Every line of this sales order is invoiced already."
    assert await Transaction.filter(kind=Kind.INVOICE).count() == 2
    # and the consolidation has nothing left either
    with pytest.raises(ValidationError):
        await consolidate(accountant, twentieth, "2026-12-20")


async def test_voiding_a_converted_invoice_gives_the_order_back(accountant, twentieth):
    order = await confirmed_order(accountant, twentieth, "2026-11-05", [_line("作業", 1000)])
    invoice = await workflow.convert(accountant, Kind.SALES_ORDER, order.id, Kind.INVOICE)
    await workflow.void(accountant, Kind.INVOICE, invoice.id)
    await order.refresh_from_db()
    assert (order.status, await _billed(order)) == (Status.CONFIRMED, [False])
    assert (await consolidate(accountant, twentieth, "2026-11-20")).total == 1100


async def test_a_partly_invoiced_order_keeps_its_lines(accountant, twentieth):
    order = await confirmed_order(accountant, twentieth, "2026-11-05", [_line("前半", 1000), _line("後半", 2000, "2026-12-01")])
    await consolidate(accountant, twentieth, "2026-11-20")
    with pytest.raises(InvalidTransition):
        await txns.update(accountant, Kind.SALES_ORDER, order.id, {"lines": [_line("全部", 1)]})
    with pytest.raises(InvalidTransition):
        await workflow.void(accountant, Kind.SALES_ORDER, order.id)
    edited = await txns.update(accountant, Kind.SALES_ORDER, order.id, {"subject": "件名だけ"})
    assert edited.subject == "件名だけ" and await _billed(order) == [True, False]
    # the edit form posts the lines as they are: the header changes, the billing stays
    same = txns.line_data(await txns.lines_of(order))
    await txns.update(accountant, Kind.SALES_ORDER, order.id, {"reference": "PO-1", "lines": same})
    assert await _billed(order) == [True, False]


async def test_an_invoice_billing_order_lines_keeps_them(accountant, twentieth):
    order = await confirmed_order(accountant, twentieth, "2026-11-05", [_line("作業", 1000)])
    invoice = await consolidate(accountant, twentieth, "2026-11-20")
    same = txns.line_data(await txns.lines_of(invoice))
    edited = await txns.update(accountant, Kind.INVOICE, invoice.id, {"notes": "振込手数料はご負担ください", "lines": same})
    assert edited.notes and edited.total == 1100 and await _billed(order) == [True]
    with pytest.raises(InvalidTransition):
        await txns.update(accountant, Kind.INVOICE, invoice.id, {"lines": [{**same[0], "rate": 1}]})
    assert await _billed(order) == [True]
    assert (await TransactionLine.get(transaction_id=invoice.id)).source_order_id == order.id


async def test_hostile_delivery_dates_are_refused(accountant, twentieth):
    for value in ("2026-02-30", "x" * 5000, "\x00", "9999-99-99", 12):
        with pytest.raises(ValidationError) as raised:
            await txns.create(accountant, Kind.SALES_ORDER, {
                "contact_id": twentieth.id, "lines": [{**_line("作業", 1000), "delivery_date": value}]})
        assert raised.value.errors[0].field == "lines.0.delivery_date"
    assert not await Transaction.filter(kind=Kind.SALES_ORDER).exists()


async def test_the_pdf_lists_each_order_with_its_delivery_dates(accountant, twentieth):
    from io import BytesIO

    from pypdf import PdfReader

    from app.services import books_pdf

    a = await confirmed_order(accountant, twentieth, "2026-10-25", [_line("設計", 1000), _line("保守", 500, "2026-11-03")])
    b = await confirmed_order(accountant, twentieth, "2026-11-02", [_line("部品", 300, "2026-12-02"), _line("作業", 200)])
    invoice = await consolidate(accountant, twentieth, "2026-11-20")
    for lang, expected in (("en", (f"{a.number} Oct 25, 2026; Nov 3, 2026", f"{b.number} Nov 2, 2026")),
                           ("ja", (f"{a.number} 2026/10/25、2026/11/03", f"{b.number} 2026/11/02"))):
        pdf = await books_pdf.render(invoice, lang)
        text = " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages).split())
        for sought in expected:
            assert sought in text, (lang, sought, text)
    assert "Sales orders billed (delivery dates)" in " ".join(
        page.extract_text() for page in PdfReader(BytesIO(await books_pdf.render(invoice, "en"))).pages)
    assert "2026/12/02" not in text  # the line delivered later is not on this invoice


MIGRATION = importlib.import_module("app.migrations.0034_unbilled")


async def test_migration_keeps_the_period_and_marks_billed_lines(accountant, twentieth):
    """0033: a consolidated invoice's period_start/period_end go into its transaction period where
    that was empty; the lines of orders billed whole get the invoice lines that billed them."""
    a = await confirmed_order(accountant, twentieth, "2026-11-05", [_line("設計", 1000), _line("保守", 500)])
    b = await confirmed_order(accountant, twentieth, "2026-11-06", [_line("作業", 200)])
    invoice = await consolidate(accountant, twentieth, "2026-11-20")
    converted_from = await confirmed_order(accountant, twentieth, "2026-11-07", [_line("部品", 300)])
    converted = await workflow.convert(accountant, Kind.SALES_ORDER, converted_from.id, Kind.INVOICE)
    conn = connections.get("default")
    # as the rows were before 0033: no line billing, the period in its own columns
    await TransactionLine.all().update(billed_line_id=None)
    await TransactionLine.filter(transaction_id=converted.id).update(source_order_id=None)
    await Transaction.filter(id=converted_from.id).update(billed_by_id=None)  # conversions set none
    await Transaction.filter(id=invoice.id).update(transaction_date=None, transaction_date_end=None)
    await conn.execute_script("ALTER TABLE transactions ADD COLUMN period_start DATE")
    await conn.execute_script("ALTER TABLE transactions ADD COLUMN period_end DATE")
    try:
        await conn.execute_script(
            f"UPDATE transactions SET period_start = '2026-10-21', period_end = '2026-11-20' WHERE id = {invoice.id}")
        for statement in MIGRATION.COPY_PERIODS:
            await conn.execute_script(statement)
    finally:
        await conn.execute_script('ALTER TABLE transactions DROP COLUMN "period_start"')
        await conn.execute_script('ALTER TABLE transactions DROP COLUMN "period_end"')
    await MIGRATION.mark_billed(conn)
    await invoice.refresh_from_db()
    assert (invoice.transaction_date, invoice.transaction_date_end) == (date(2026, 10, 21), date(2026, 11, 20))
    billed_by = {line.id: line.transaction_id for line in await TransactionLine.filter(
        transaction_id__in=[invoice.id, converted.id])}
    for order, by in ((a, invoice), (b, invoice), (converted_from, converted)):
        lines = await TransactionLine.filter(transaction_id=order.id)
        assert [billed_by.get(line.billed_line_id) for line in lines] == [by.id] * len(lines)
    assert await TransactionLine.filter(transaction_id=converted.id, source_order_id=converted_from.id).count() == 1
    # the invoice line billing 保守 is the second of the invoice's lines
    hoshu = await TransactionLine.get(transaction_id=a.id, description="保守")
    assert (await TransactionLine.get(id=hoshu.billed_line_id)).description == f"{a.number} 保守"
