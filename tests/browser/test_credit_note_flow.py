"""A credit note in a real Chromium: from a sent invoice's page, "Create credit note" opens the
form with the invoice's lines; the user reduces the quantity, saves, marks it sent, applies the
credit to the invoice, and both pages show the new balances."""

from __future__ import annotations

import re

import pytest

from app.models import Kind, Transaction
from tests import factories as f

pytestmark = pytest.mark.browser


async def test_create_from_invoice_then_apply(live_server, live_db, browser_page):
    page = browser_page
    user = await f.make_user("Accountant", email="henpin@example.jp", name="経理 三郎")
    org = await f.make_org(user)
    customer = await f.make_customer(org, display_name="株式会社テスト")
    invoice = await f.make_sent_invoice(await f.principal_for(user), customer, [("部品", 4, 2500, 10)])  # ¥11,000
    other = await f.make_sent_invoice(await f.principal_for(user), await f.make_customer(org, display_name="他社"))

    await page.goto(f"{live_server}/books/invoices/{invoice.id}")
    await page.fill("input[name=email]", "henpin@example.jp")
    await page.fill("input[name=password]", f.PASSWORD)
    await page.click("form button[type=submit]")
    await page.wait_for_url(f"{live_server}/books/invoices/{invoice.id}")

    await page.click("#create-credit-note")
    await page.wait_for_url(re.compile(r".*/books/credit-notes/new\?invoice=\d+$"))
    assert await page.input_value("#lines-0-description") == "部品"
    assert await page.is_checked(f"#invoice_ids-{invoice.id}")
    # another customer: that customer's invoices are offered instead; back again, this one's
    await page.select_option("#contact_id", str(other.contact_id))
    await page.locator(f"#invoice_ids-{other.id}").wait_for()
    assert await page.locator(f"#invoice_ids-{invoice.id}").count() == 0
    await page.select_option("#contact_id", str(customer.id))
    await page.check(f"#invoice_ids-{invoice.id}")
    await page.fill("#lines-0-quantity", "1")  # one of the four comes back
    await page.locator("#sum-total", has_text="¥2,750").wait_for()
    await page.click("#save")
    await page.wait_for_url(re.compile(r".*/books/credit-notes/\d+$"))
    note = await Transaction.get(kind=Kind.CREDIT_NOTE)
    assert note.number == "CN-00001" and await page.inner_text("#value-balance") == "¥2,750"

    await page.click("#action-mark-sent")
    await page.locator(f"#amount-{invoice.id}").wait_for()
    await page.fill(f"#amount-{invoice.id}", "2750")
    await page.click("#apply-credit")
    await page.locator("#value-balance", has_text="¥0").wait_for()
    assert "Credit of ¥2,750 from CN-00001 applied." in await page.inner_text("#flash-message")

    await page.goto(f"{live_server}/books/invoices/{invoice.id}")
    assert await page.inner_text("#value-credited") == "¥2,750"
    assert await page.inner_text("#value-balance") == "¥8,250"
