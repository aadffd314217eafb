"""A record's page in a browser: Edit in view, the other actions behind More (a <details>, no
script, no CSP violation); empty fields and addresses are not shown."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.browser.test_csp import RECORD_VIOLATIONS, sign_in, violations

pytestmark = pytest.mark.browser


async def test_more_opens_the_secondary_actions(live_server, live_db, browser_page):
    page = browser_page
    manager = await f.make_user("Manager", email="mgr@example.jp", name="山本 健二")
    account = await f.make_account(manager, name="株式会社さくら商事", billing_code="100-0005", billing_state="東京都",
                                   billing_city="千代田区", billing_street="丸の内1-1-1", billing_country="日本")
    await page.context.add_init_script(RECORD_VIOLATIONS)
    await sign_in(page, live_server, "mgr@example.jp")
    await page.goto(f"{live_server}/accounts/{account.id}")
    assert await page.is_visible("#edit-record")
    assert not await page.is_visible("#delete-record")  # in the closed menu
    assert await page.locator("#address-billing").count() == 1 and await page.locator("#address-shipping").count() == 0
    assert await page.locator("#value-phone").count() == 0
    await page.click("#more-actions > summary")
    assert await page.is_visible("#delete-record")
    await page.click("#delete-record")
    await page.wait_for_url(f"{live_server}/accounts/{account.id}/delete")
    assert await violations(page) == []
