"""Converting a lead in a real Chromium: open the lead, convert it with a deal, land on the new
contact with the flash message (shown once), and see the lead marked converted."""

from __future__ import annotations

import re

import pytest

from app.models import Contact, Deal, Lead, RelatedType
from tests import factories as f

pytestmark = pytest.mark.browser


async def test_convert_a_lead_with_a_deal(live_server, live_db, browser_page):
    page = browser_page
    user = await f.make_user("Sales", email="ren@example.jp", name="Ren Ito")
    account = await f.make_account(user, name="ＭＩＮＡＴＯ 物産")  # full width: matched all the same
    lead = await f.make_lead(user, last_name="森", first_name="葵", company="MINATO物産", email="aoi@minato.example",
                             description="展示会で名刺交換")
    await f.make_task(user, subject="お礼の電話", related_type=RelatedType.LEAD, related_id=lead.id)

    await page.goto(f"{live_server}/leads/{lead.id}")  # sent to log in, then back
    await page.fill("input[name=email]", "ren@example.jp")
    await page.fill("input[name=password]", f.PASSWORD)
    await page.click("form button[type=submit]")
    await page.wait_for_url(f"{live_server}/leads/{lead.id}")
    await page.click("#more-actions > summary")  # Convert is in the action bar's menu
    await page.click("#convert-lead")
    await page.wait_for_url(f"{live_server}/leads/{lead.id}/convert")
    assert await page.is_checked(f"input[name=account][value='{account.id}']")  # the matched account
    await page.check("#with_deal")
    await page.fill("#deal_name", "MINATO 初回導入")
    await page.fill("#deal_amount", "abc")
    await page.click("#convert")
    await page.locator("#error-deal-amount").wait_for()  # fixed in place: nothing converted yet
    assert (await Lead.get(id=lead.id)).converted_at is None
    assert await page.input_value("#deal_name") == "MINATO 初回導入"

    await page.fill("#deal_amount", "250000")
    await page.fill("#deal_closing_date", "2030-06-30")
    await page.click("#convert")
    await page.wait_for_url(re.compile(r".*/contacts/\d+$"))
    contact = await Contact.get(email="aoi@minato.example")
    assert page.url.endswith(f"/contacts/{contact.id}")
    flash = page.locator("#flash-message")
    assert await flash.inner_text() == "Lead converted: 森 葵"
    assert await page.locator("h1").inner_text() == "森 葵"
    await page.locator("#related-tasks").get_by_text("お礼の電話").wait_for()  # the lead's task came along
    await page.reload()
    assert await page.locator("#flash-message").count() == 0  # shown once

    deal = await Deal.get(name="MINATO 初回導入")
    assert deal.account_id == account.id
    await page.goto(f"{live_server}/leads/{lead.id}")
    notice = page.locator("#converted-notice")
    await notice.wait_for()
    assert await page.locator("#convert-lead").count() == 0
    assert await page.locator("#converted-contact").get_attribute("href") == f"/contacts/{contact.id}"
    assert await page.locator("#converted-account").get_attribute("href") == f"/accounts/{account.id}"
    await page.click("#converted-deal")
    await page.wait_for_url(f"{live_server}/deals/{deal.id}")
