"""Pages of line-level billing: the sales-order form takes a 納品日 per line, the consolidation
preview lists the lines it bills by order with their delivery dates, an order billed in part
says so and which invoice billed each line, and the invoice lists its orders with the dates."""

from __future__ import annotations

from datetime import timedelta

from app.models import Kind, Status, Transaction, TransactionLine
from app.services import consolidation, payment_terms, workflow
from app.services import transactions as txns
from tests.views.conftest import HX, post, text_of

PAGE = "/books/invoices/consolidate"


async def _setup(principal, customer):
    customer.payment_terms = "close_20_1_10"
    await customer.save()
    today = txns.today_in(principal)
    period = next(p for p in consolidation.periods(payment_terms.parse("close_20_1_10"), today) if p.end < today)
    order = await txns.create(principal, Kind.SALES_ORDER, {
        "contact_id": customer.id, "issue_date": period.start, "lines": [
            {"description": "設計", "rate": 1000, "tax_rate": 10},
            {"description": "納品物", "rate": 500, "tax_rate": 10,
             "delivery_date": period.end + timedelta(days=1)}]})
    return period, await workflow.confirm(principal, order.id)


async def test_the_order_form_takes_a_delivery_date_per_line(client, principal, customer):
    form = (await client.get("/books/sales-orders/new")).text
    assert 'name="lines-0-delivery_date"' in form and 'type="date"' in form
    assert 'name="lines-0-delivery_date"' not in (await client.get("/books/invoices/new")).text
    data = {"contact_id": customer.id, "issue_date": "2026-11-05", "lines-0-description": "作業",
            "lines-0-quantity": "1", "lines-0-rate": "1000", "lines-0-tax_category": "standard",
            "lines-0-delivery_date": "2026-11-18"}
    bad = await post(client, "/books/sales-orders", {**data, "lines-0-delivery_date": "2026-02-30"}, htmx=True)
    assert bad.status_code == 422 and 'id="error-lines-0-delivery_date"' in bad.text
    created = await post(client, "/books/sales-orders", data)
    assert created.status_code == 303
    order = await Transaction.get(kind=Kind.SALES_ORDER)
    assert [str(line.delivery_date) for line in await TransactionLine.filter(transaction_id=order.id)] == ["2026-11-18"]
    edit = (await client.get(f"/books/sales-orders/{order.id}/edit")).text
    assert 'value="2026-11-18"' in edit


async def test_preview_bills_the_lines_delivered_in_the_period(client, principal, customer):
    period, order = await _setup(principal, customer)
    shown = await client.get(PAGE, params={"contact_id": customer.id, "period_end": period.key},
                             headers={**HX, "HX-Target": "consolidation-form"})
    assert f'id="source-{order.id}"' in shown.text
    table = shown.text.split(f'id="source-{order.id}"')[1].split("</table>")[0]
    assert "設計" in table and "納品物" not in table
    assert "1 line delivered in this period will be billed, by sales order:" in text_of(shown.text, "preview-summary")
    assert text_of(shown.text, f"left-{order.id}") == "1 line is left for a later invoice"
    assert text_of(shown.text, "sum-total") == "¥1,100"


async def test_a_partly_invoiced_order_shows_its_lines_billing(client, principal, customer):
    period, order = await _setup(principal, customer)
    assert (await post(client, PAGE, {"contact_id": customer.id, "period_end": period.key})).status_code == 303
    invoice = await Transaction.get(kind=Kind.INVOICE)
    page = (await client.get(f"/books/sales-orders/{order.id}")).text
    assert text_of(page, "partly-invoiced") == "Partially invoiced"
    listed = (await client.get("/books/sales-orders")).text
    assert text_of(listed, f"partly-invoiced-{order.id}") == "Partially invoiced"
    assert text_of(page, "billed-1") == invoice.number
    assert f'href="/books/invoices/{invoice.id}"' in page
    assert text_of(page, "billed-2") == "Not invoiced"
    assert 'id="action-convert-to-invoice"' in page  # the rest may still be invoiced
    invoice_page = (await client.get(f"/books/invoices/{invoice.id}")).text
    assert f"{order.number}</a>, delivered " in invoice_page
    # the edit form: the same lines keep their billing, other lines are refused with a message
    form = {"contact_id": customer.id, "issue_date": str(order.issue_date), "subject": "件名",
            "lines-0-description": "設計", "lines-0-quantity": "1", "lines-0-rate": "1000",
            "lines-0-tax_category": "standard", "lines-1-description": "納品物", "lines-1-quantity": "1",
            "lines-1-rate": "500", "lines-1-tax_category": "standard",
            "lines-1-delivery_date": str(period.end + timedelta(days=1))}
    assert (await post(client, f"/books/sales-orders/{order.id}/edit", form)).status_code == 303
    refused = await post(client, f"/books/sales-orders/{order.id}/edit", {**form, "lines-0-rate": "1"}, htmx=True)
    assert refused.status_code in (409, 422)
    assert "Part of this sales order is invoiced: its lines can no longer be edited." in refused.text
    lines = await TransactionLine.filter(transaction_id=order.id).order_by("position")
    assert [(line.description, line.billed_line_id is not None) for line in lines] == [("設計", True), ("納品物", False)]
    # the rest, converted: the order is invoiced and no longer partly
    converted = await workflow.convert(principal, Kind.SALES_ORDER, order.id, Kind.INVOICE)
    page = (await client.get(f"/books/sales-orders/{order.id}")).text
    assert 'id="partly-invoiced"' not in page and text_of(page, "billed-2") == converted.number
    assert f'id="partly-invoiced-{order.id}"' not in (await client.get("/books/sales-orders")).text
    await order.refresh_from_db()
    assert order.status == Status.INVOICED
