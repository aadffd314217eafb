"""Books -> Invoices -> Consolidated invoice: pick a customer and a closing period, see the orders
it bills with their lines, create the invoice; the customer and settings forms edit payment terms."""

from __future__ import annotations

import re
from datetime import timedelta

from app.models import Kind, Status, Transaction, TransactionLine
from app.services import consolidation, payment_terms, workflow
from app.services import transactions as txns
from tests import factories as f
from tests.views.conftest import HX, hx_post, post, text_of

PAGE = "/books/invoices/consolidate"


async def _last_closed_period(principal, code: str) -> consolidation.Period:
    today = txns.today_in(principal)
    return next(p for p in consolidation.periods(payment_terms.parse(code), today) if p.end < today)


async def _order(principal, contact, day, specs):
    order = await f.make_transaction(principal, "sales_order", contact, specs, issue_date=day.isoformat())
    return await workflow.confirm(principal, order.id)


async def test_preview_then_create(client, principal, customer):
    customer.payment_terms = "close_20_1_10"
    await customer.save()
    period = await _last_closed_period(principal, "close_20_1_10")
    a = await _order(principal, customer, period.start, [("設計", 1, 100000, 10)])
    b = await _order(principal, customer, period.end, [("お弁当", 10, 800, 8)])
    outside = await _order(principal, customer, period.end + timedelta(days=1), [("翌期", 1, 1, 10)])

    index = (await client.get("/books/invoices")).text
    assert f'href="{PAGE}"' in index

    empty = await client.get(PAGE)
    assert empty.status_code == 200 and "株式会社テスト" in empty.text
    assert 'id="create-consolidated" disabled' in empty.text  # nothing to bill before a customer

    shown = await client.get(PAGE, params={"contact_id": customer.id}, headers={**HX, "HX-Target": "consolidation-form"})
    assert shown.status_code == 200 and shown.text.lstrip().startswith('<form id="consolidation-form"')
    assert "Closing on day 20, paid on day 10 of the next month" in text_of(shown.text, "terms-text")
    assert re.search(rf'<option value="{period.key}" selected>', shown.text)  # the last closed period
    assert f'id="source-{a.id}"' in shown.text and f'id="source-{b.id}"' in shown.text
    assert f'id="source-{outside.id}"' not in shown.text
    assert "設計" in shown.text and "お弁当" in shown.text
    assert text_of(shown.text, "sum-total") == "¥118,640"

    created = await post(client, PAGE, {"contact_id": customer.id, "period_end": period.key, "issue_date": ""})
    assert created.status_code == 303
    invoice = await Transaction.get(kind=Kind.INVOICE)
    assert created.headers["location"] == f"/books/invoices/{invoice.id}"
    assert (invoice.transaction_date, invoice.transaction_date_end, invoice.total) == (period.start, period.end, a.total + b.total)
    page = (await client.get(created.headers["location"])).text
    assert f"Consolidated invoice {invoice.number} created." in page
    assert f"{a.number} 設計" in page
    assert f'id="value-transaction_date">{period.start:%b} ' in page  # the closing period, as the user's dates
    assert re.search(rf'Bills the sales order <a href="/books/sales-orders/{a.id}">{a.number}</a>', page)
    order_page = (await client.get(f"/books/sales-orders/{a.id}")).text
    assert re.search(rf'Lines billed on the invoice <a href="/books/invoices/{invoice.id}">{invoice.number}</a>',
                     order_page)
    assert [line.source_order_id for line in await TransactionLine.filter(transaction_id=invoice.id)] == [a.id, b.id]
    await a.refresh_from_db()
    assert a.status == Status.INVOICED

    again = await hx_post(client, PAGE, {"contact_id": customer.id, "period_end": period.key})
    assert again.status_code == 422 and 'id="nothing-to-invoice"' in again.text
    assert await Transaction.filter(kind=Kind.INVOICE).count() == 1


async def test_preview_shows_each_orders_discount_share_and_refuses_mixed_pricing(client, principal, customer):
    period = await _last_closed_period(principal, "end_of_next_month")
    order = await f.make_transaction(principal, "sales_order", customer, [("設計", 1, 100000, 10)],
                                     issue_date=period.start.isoformat(), discount_type="amount", discount_value=10000)
    await workflow.confirm(principal, order.id)
    params = {"contact_id": customer.id, "period_end": period.key}
    shown = await client.get(PAGE, params=params, headers={**HX, "HX-Target": "consolidation-form"})
    # the line as the invoice will have it, in the organization's language (Japanese)
    assert f"{order.number} 値引" in shown.text and "-¥10,000" in shown.text
    assert text_of(shown.text, "sum-total") == "¥99,000"

    inclusive = await f.make_transaction(principal, "sales_order", customer, [("作業", 1, 11000, 10)],
                                         issue_date=period.start.isoformat(), prices_include_tax=True)
    await workflow.confirm(principal, inclusive.id)
    mixed = await client.get(PAGE, params=params, headers={**HX, "HX-Target": "consolidation-form"})
    assert mixed.status_code == 200 and 'role="alert"' in mixed.text
    assert f"differ in currency or in tax-inclusive pricing ({order.number}, {inclusive.number})" in mixed.text
    refused = await hx_post(client, PAGE, params)
    assert refused.status_code == 422 and not await Transaction.filter(kind=Kind.INVOICE).exists()


async def test_hostile_posts_answer_422(client, principal, customer, org):
    period = await _last_closed_period(principal, "end_of_next_month")
    await _order(principal, customer, period.start, [("作業", 1, 1000, 10)])
    other = await f.make_customer(await f.make_org(), display_name="他社")
    for data in ({"contact_id": other.id, "period_end": period.key},
                 {"contact_id": "1 OR 1=1", "period_end": period.key},
                 {"contact_id": customer.id, "period_end": "2026-02-30"},
                 {"contact_id": customer.id, "period_end": (period.end - timedelta(days=1)).isoformat()},
                 {"contact_id": customer.id, "period_end": period.key, "issue_date": "x" * 5000},
                 {"contact_id": "\x00", "period_end": "\x00"}):
        response = await hx_post(client, PAGE, data)
        assert response.status_code == 422, data
        assert 'role="alert"' in response.text
    assert not await Transaction.filter(kind=Kind.INVOICE).exists()
    assert (await client.get(PAGE, params={"contact_id": "'><script>", "period_end": "x"})).status_code == 200


async def test_sales_cannot_consolidate(client, signed_in, org, customer):
    from app.models import Membership

    seller = await signed_in("Sales")
    await Membership.create(organization_id=org.id, user_id=seller.id)
    assert (await client.get(PAGE)).status_code == 403
    assert (await post(client, PAGE, {"contact_id": customer.id, "period_end": "2026-11-30"})).status_code == 403
    assert 'id="consolidate"' not in (await client.get("/books/invoices")).text


async def test_customer_form_edits_terms_by_their_parts(client, principal, customer):
    form = (await client.get(f"/books/contacts/{customer.id}/edit")).text
    assert 'name="payment_terms_kind"' in form and 'name="payment_terms_closing"' in form
    data = {"display_name": "株式会社テスト", "contact_type": "customer", "is_company": "True", "currency": "JPY",
            "payment_terms_kind": "close", "payment_terms_closing": "20", "payment_terms_offset": "0",
            "payment_terms_payment": "10", "payment_terms_net_days": ""}
    bad = await hx_post(client, f"/books/contacts/{customer.id}/edit", data)
    assert bad.status_code == 422
    assert "the payment day cannot come before the closing day" in bad.text
    assert re.search(r'name="payment_terms_closing">.*?<option value="20" selected>', bad.text, re.S)
    data.update(payment_terms_offset="1")
    ok = await post(client, f"/books/contacts/{customer.id}/edit", data)
    assert ok.status_code == 303
    await customer.refresh_from_db()
    assert customer.payment_terms == "close_20_1_10"
    page = (await client.get(f"/books/contacts/{customer.id}")).text
    assert "Closing on day 20, paid on day 10 of the next month" in page
    data.update(payment_terms_kind="", payment_terms_net_days="")
    assert (await post(client, f"/books/contacts/{customer.id}/edit", data)).status_code == 303
    page = (await client.get(f"/books/contacts/{customer.id}")).text
    assert "The organization’s terms (Closing at month end, paid at the end of the next month)" in page
    data.update(payment_terms_kind="net", payment_terms_net_days="45")
    assert (await post(client, f"/books/contacts/{customer.id}/edit", data)).status_code == 303
    await customer.refresh_from_db()
    assert customer.payment_terms == "net_45"


async def test_invoice_edition_has_no_consolidation(client, org, principal):
    org.edition = "invoice"
    await org.save()
    response = await client.get(PAGE)
    assert response.status_code == 404 and "Sales orders exist only in the Books edition." in response.text
