"""A consolidated invoice in a real Chromium: choose the customer, the form shows its terms, the
last closed period and the orders it bills; create it and land on the invoice with the orders listed."""

from __future__ import annotations

import re

import pytest

from app.models import Kind, Transaction
from app.permissions import Principal
from app.services import consolidation, payment_terms, workflow
from app.services import transactions as txns
from tests import factories as f

pytestmark = pytest.mark.browser


async def test_consolidated_invoice_from_the_invoices_list(live_server, live_db, browser_page):
    page = browser_page
    user = await f.make_user("Accountant", email="keiri@example.jp", name="経理 花子")
    org = await f.make_org(user)
    customer = await f.make_customer(org, display_name="株式会社テスト", payment_terms="close_20_1_10")
    principal = await Principal.load(user)
    today = txns.today_in(principal)
    period = next(p for p in consolidation.periods(payment_terms.parse("close_20_1_10"), today) if p.end < today)
    orders = []
    for day, specs in ((period.start, [("設計", 1, 100000, 10)]), (period.end, [("お弁当", 10, 800, 8)])):
        order = await f.make_transaction(principal, "sales_order", customer, specs, issue_date=day.isoformat())
        orders.append(await workflow.confirm(principal, order.id))

    await page.goto(f"{live_server}/books/invoices")
    await page.fill("input[name=email]", "keiri@example.jp")
    await page.fill("input[name=password]", f.PASSWORD)
    await page.click("form button[type=submit]")
    await page.wait_for_url(f"{live_server}/books/invoices")
    await page.click("#consolidate")
    await page.wait_for_url(f"{live_server}/books/invoices/consolidate")

    await page.select_option("#contact_id", str(customer.id))
    await page.locator(f"#source-{orders[1].id}").wait_for()  # the preview, swapped in by htmx
    assert "Closing on day 20" in await page.inner_text("#terms-text")
    assert await page.locator("#period_end").input_value() == period.key
    assert await page.inner_text("#sum-total") == "¥118,640"

    await page.click("#create-consolidated")
    await page.wait_for_url(re.compile(r".*/books/invoices/\d+$"))
    invoice = await Transaction.get(kind=Kind.INVOICE)
    assert page.url.endswith(f"/books/invoices/{invoice.id}")
    assert await page.inner_text("#value-total") == "¥118,640"
    for order in orders:
        await page.locator(f"a[href='/books/sales-orders/{order.id}']").first.wait_for()
