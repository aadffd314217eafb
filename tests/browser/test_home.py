"""The home page in a real browser: each block is loaded by htmx after the page and replaces its
placeholder, under the Content-Security-Policy."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.permissions import Principal
from app.services.activities import user_today
from tests import factories as f
from tests.browser.test_csp import RECORD_VIOLATIONS, sign_in, violations

pytestmark = pytest.mark.browser


async def test_home_page_renders_its_blocks(live_server, live_db, browser_page):
    page = browser_page
    admin = await f.make_user("Administrator", email="home@example.jp", name="管理 太郎", language="ja")
    await f.make_deal(admin, name="年間保守契約")
    await f.make_task(admin, subject="見積書を送る", due_date=user_today(admin))
    await f.make_event(admin, subject="定例会議")
    org = await f.make_org(admin)
    customer = await f.make_customer(org)
    today = user_today(admin)
    await f.make_sent_invoice(await Principal.load(admin), customer, issue_date=today - timedelta(days=60),
                              due_date=today - timedelta(days=30))
    await page.context.add_init_script(RECORD_VIOLATIONS)
    await sign_in(page, live_server, admin.email)
    await page.goto(f"{live_server}/")
    for key in ("deals", "tasks", "events", "mail", "portal", "notifications", "receivables"):
        await page.wait_for_selector(f"#home-{key}-link")  # the loaded block (placeholders have no id on the link)
    assert await page.locator("#home-tasks-today").inner_text() == "見積書を送る"
    assert await page.locator("#home-deals-count").inner_text() == "1"
    assert "¥11,000" in await page.locator("#home-receivables-JPY").inner_text()
    assert await page.locator("#home-mail-empty").is_visible()
    await page.click("#home-tasks-today-link")
    await page.wait_for_url(f"{live_server}/tasks?due=today&owner=mine")
    assert "見積書を送る" in await page.locator("main").inner_text()
    assert await violations(page) == []
