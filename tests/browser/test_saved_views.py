"""A list's state saved as a view in a real Chromium: sort by a header (twice: descending),
choose columns, filter, save the view, leave, reopen it from the views menu and find the same
sort, columns and filter; bulk-select a page and see the confirmation count."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.async_api import expect

from app.models import SavedView, StageCategory
from tests import factories as f

pytestmark = pytest.mark.browser


async def _rows_are(page, deals) -> None:
    """The rows, in order, once htmx has swapped them in."""
    rows = page.locator("table.records tbody tr")
    await expect(rows).to_have_count(len(deals))
    for i, deal in enumerate(deals):
        await expect(rows.nth(i)).to_have_id(f"row-{deal.id}")


async def test_save_a_view_and_reopen_it(live_server, live_db, browser_page):
    page = browser_page
    seller = await f.make_user("Sales", email="eigyo@example.jp", name="営業 太郎")
    account = await f.make_account(seller, name="株式会社さくら商事")
    small = await f.make_deal(seller, name="小口案件", account=account, amount=Decimal(1000))
    big = await f.make_deal(seller, name="大型案件", account=account, amount=Decimal(900000))
    middle = await f.make_deal(seller, name="中型案件", account=account, amount=Decimal(50000))
    won = await f.make_deal(seller, name="受注済み", amount=Decimal(5000000), stage=await f.stage(StageCategory.WON))

    await page.goto(f"{live_server}/deals")
    await page.fill("input[name=email]", "eigyo@example.jp")
    await page.fill("input[name=password]", f.PASSWORD)
    await page.click("form button[type=submit]")
    await page.wait_for_url(f"{live_server}/deals")

    # Sort by amount: ascending, then descending (htmx swaps the rows and pushes the URL).
    await page.click("#sort-amount")
    await page.wait_for_url(re.compile(r"sort=amount"))
    await page.click("#sort-amount")
    await page.wait_for_url(re.compile(r"sort=-amount"))
    await _rows_are(page, (won, big, middle, small))
    # Filter to open deals: the sort stays.
    await page.select_option("#filter-stage", "open")
    await page.wait_for_url(re.compile(r"stage=open"))
    assert "sort=-amount" in page.url
    await _rows_are(page, (big, middle, small))
    # Hide the account column.
    await page.click("#columns-menu summary")
    await page.uncheck("#col-account")
    await page.wait_for_url(re.compile(r"cols="))
    await expect(page.locator("#sort-account")).to_have_count(0)
    assert await page.locator("#sort-amount").count() == 1
    # The totals cover the filtered list.
    await expect(page.locator("#totals-JPY")).to_contain_text("¥951,000")

    # Save the view as it is now, shared.
    await page.click("#views-menu summary")
    await page.fill("#view-name", "大口の進行中案件")
    await page.check("#view-shared")
    await page.click("#save-view-button")
    await page.locator(".flash", has_text="大口の進行中案件").wait_for()
    view = await SavedView.get(user_id=seller.id)
    assert view.shared and view.state["sort"] == "-amount" and view.state["filters"] == {"stage": "open"}

    # Leave, come back to the plain list, reopen the view from the menu.
    await page.goto(f"{live_server}/contacts")
    await page.goto(f"{live_server}/deals")
    assert await page.locator("#sort-account").count() == 1
    await page.click("#views-menu summary")
    await page.click(f"#view-{view.id}")
    await page.wait_for_url(re.compile(rf"view={view.id}"))
    await expect(page.locator("#current-view")).to_have_text("大口の進行中案件")
    await expect(page.locator("#sort-account")).to_have_count(0)
    assert await page.get_attribute("th[aria-sort]", "aria-sort") == "descending"
    assert await page.input_value("#filter-stage") == "open"
    await _rows_are(page, (big, middle, small))

    # Select the page and ask for follow-up tasks: the confirmation counts them.
    await page.check("#select-all")
    await page.select_option("#bulk-action", "follow_up")
    await page.click("#bulk-submit")
    await page.locator("#bulk-count", has_text="3 records").wait_for()
    await page.fill("#subject", "お礼の電話")
    await page.fill("#due_date", "2030-01-31")
    await page.click("#bulk-apply")
    await page.locator(".flash", has_text="3 follow-up tasks created.").wait_for()
    assert "sort=-amount" in page.url and "stage=open" in page.url
