"""An invoice typed in a real Chromium: log in, open a new invoice, add a second line with the
htmx button, watch the per-rate totals follow the typing (10% and 8%), save, see the total."""

from __future__ import annotations

import re

import pytest

from app.models import Transaction
from tests import factories as f

pytestmark = pytest.mark.browser


async def test_new_invoice_with_live_totals(live_server, live_db, browser_page):
    page = browser_page
    user = await f.make_user("Accountant", email="keiri@example.jp", name="経理 花子")
    org = await f.make_org(user)
    customer = await f.make_customer(org, display_name="株式会社テスト")

    await page.goto(f"{live_server}/books/invoices/new")
    assert "/login" in page.url
    await page.fill("input[name=email]", "keiri@example.jp")
    await page.fill("input[name=password]", f.PASSWORD)
    await page.click("form button[type=submit]")
    await page.wait_for_url(f"{live_server}/books/invoices/new")

    await page.select_option("#contact_id", str(customer.id))
    await page.fill("#lines-0-description", "コンサルティング")
    await page.fill("#lines-0-quantity", "2")
    await page.fill("#lines-0-rate", "5000")
    await page.click("#add-line")
    await page.locator("#lines-1-description").wait_for()
    await page.fill("#lines-1-description", "お弁当")
    await page.select_option("#lines-1-tax_category", "reduced")
    await page.fill("#lines-1-quantity", "3")
    await page.fill("#lines-1-rate", "800")

    await page.locator("#sum-8-tax", has_text="¥192").wait_for()
    assert await page.inner_text("#sum-10-subtotal") == "¥10,000"
    assert await page.inner_text("#sum-10-tax") == "¥1,000"
    assert await page.inner_text("#sum-8-subtotal") == "¥2,400"
    assert await page.inner_text("#sum-total") == "¥13,592"
    assert await page.inner_text("#amount-1") == "¥2,400"
    assert await page.locator("#add-line").get_attribute("hx-get") == "/books/invoices/lines/new?index=2"

    await page.click("#save")
    await page.wait_for_url(re.compile(r".*/books/invoices/\d+$"))
    invoice = await Transaction.get(number="INV-00001")
    assert page.url.endswith(f"/books/invoices/{invoice.id}")
    assert await page.inner_text("#value-total") == "¥13,592"
    assert await page.locator("#lines .lines-table tbody tr").count() == 2


async def test_convert_an_estimate_after_confirming(live_server, live_db, browser_page):
    """The conversion button leads to a question; confirming makes the invoice, whose page says so."""
    page = browser_page
    user = await f.make_user("Accountant", email="keiri2@example.jp", name="経理 次郎")
    org = await f.make_org(user)
    customer = await f.make_customer(org, display_name="株式会社テスト")
    estimate = await f.make_transaction(await f.principal_for(user), "estimate", customer)

    await page.goto(f"{live_server}/books/estimates/{estimate.id}")
    await page.fill("input[name=email]", "keiri2@example.jp")
    await page.fill("input[name=password]", f.PASSWORD)
    await page.click("form button[type=submit]")
    await page.wait_for_url(f"{live_server}/books/estimates/{estimate.id}")

    await page.click("#action-convert-to-invoice")
    await page.wait_for_url(f"{live_server}/books/estimates/{estimate.id}/convert-to-invoice")
    assert await page.inner_text("#confirm-question") == f"Convert {estimate.number} into a new invoice?"
    assert not await Transaction.exists(kind="invoice")  # asking changed nothing
    await page.click("#confirm-convert-to-invoice")
    await page.wait_for_url(re.compile(r".*/books/invoices/\d+$"))
    invoice = await Transaction.get(kind="invoice")
    assert page.url.endswith(f"/books/invoices/{invoice.id}")
    assert await page.inner_text("#flash-message") == f"{estimate.number} was converted into invoice {invoice.number}."
    await page.reload()
    assert await page.locator("#flash-message").count() == 0  # shown once


async def test_a_dollar_invoice_asks_for_the_rate_when_its_customer_is_chosen(live_server, live_db, browser_page):
    """Choosing a customer billed in dollars brings the rate fields (htmx); the live totals then
    give each rate's tax in yen too, and the saved invoice's page shows its rate."""
    page = browser_page
    user = await f.make_user("Accountant", email="keiri3@example.jp", name="経理 三郎")
    org = await f.make_org(user)
    await f.make_customer(org, display_name="株式会社テスト")
    acme = await f.make_customer(org, display_name="Acme Inc.", currency="USD")

    await page.goto(f"{live_server}/books/invoices/new")
    await page.fill("input[name=email]", "keiri3@example.jp")
    await page.fill("input[name=password]", f.PASSWORD)
    await page.click("form button[type=submit]")
    await page.wait_for_url(f"{live_server}/books/invoices/new")
    assert await page.locator("#exchange_rate").count() == 0

    await page.select_option("#contact_id", str(acme.id))
    await page.locator("#exchange_rate").wait_for()
    await page.fill("#exchange_rate", "150.25")
    await page.fill("#exchange_rate_date", "2026-11-28")
    await page.fill("#lines-0-description", "Consulting")
    await page.fill("#lines-0-rate", "333.33")
    await page.locator("#sum-10-tax-jpy", has_text="¥5,008").wait_for()
    assert await page.inner_text("#sum-10-tax") == "33.33 USD"

    await page.click("#save")
    await page.wait_for_url(re.compile(r".*/books/invoices/\d+$"))
    assert await page.inner_text("#value-exchange_rate") == "1 USD = 150.25 yen (Nov 28, 2026)"
    invoice = await Transaction.get(number="INV-00001")
    assert invoice.exchange_rate is not None and invoice.tax_breakdown[0]["tax_jpy"] == "5008"
