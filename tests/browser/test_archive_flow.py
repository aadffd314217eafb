"""What a customer saw is kept, seen in a real Chromium: the customer opens the document by its
link, staff open the document page and see version 1 (shown in the portal, its SHA-256) loaded
into the page, download it, and find it in Books → Archive by counterparty."""

from __future__ import annotations

import hashlib

import pytest

from app.models import DocumentVersion, Kind
from app.permissions import Principal
from app.services import workflow
from tests import factories as f

pytestmark = pytest.mark.browser


async def test_the_customer_view_is_kept_and_listed(live_server, live_db, browser_page):
    page = browser_page
    user = await f.make_user("Accountant", email="keiri@example.jp", name="経理 花子")
    org = await f.make_org(user)
    principal = await Principal.load(user)
    customer = await f.make_customer(org, display_name="株式会社テスト")
    invoice = await f.make_transaction(principal, "invoice", customer, [("保守", 1, 55000, 10)])
    invoice = await workflow.mark_sent(principal, Kind.INVOICE, invoice.id)

    await page.goto(f"{live_server}/portal/{invoice.portal_token}")
    version = await DocumentVersion.get(transaction_id=invoice.id)

    await page.goto(f"{live_server}/login")
    await page.fill("input[name=email]", "keiri@example.jp")
    await page.fill("input[name=password]", f.PASSWORD)
    await page.click("form button[type=submit]")
    await page.goto(f"{live_server}/books/invoices/{invoice.id}")
    row = page.locator("#version-1")
    await row.wait_for()  # loaded into the page by htmx
    assert "Shown in the customer portal" in await row.inner_text()
    assert version.sha256 in await row.inner_text()
    async with page.expect_download() as info:
        await page.click("#download-version-1")
    download = await info.value
    body = open(await download.path(), "rb").read()
    assert hashlib.sha256(body).hexdigest() == version.sha256

    await page.click("#books-more > summary")  # the Books row keeps less daily pages in a menu
    await page.click("nav.books-nav >> text=Archive")
    await page.fill("#archive-counterparty", "テスト")
    await page.click("#archive-submit")
    await page.locator(f"#kept-{version.id}").wait_for()
    assert invoice.number in await page.inner_text(f"#kept-{version.id}")
