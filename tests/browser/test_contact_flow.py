"""The flow a new user takes, in a real Chromium: log in, create a contact (fixing a validation
error first), open it, watch its related deals load, then switch the interface to Japanese."""

from __future__ import annotations

import re

import pytest

from app.models import Contact
from tests import factories as f

pytestmark = pytest.mark.browser


async def test_login_create_contact_see_deals_switch_to_japanese(live_server, live_db, browser_page):
    page = browser_page
    user = await f.make_user("Sales", email="aoi@example.jp", name="Aoi Sato")
    account = await f.make_account(user, name="株式会社さくら商事")

    await page.goto(f"{live_server}/contacts")
    assert "/login" in page.url  # anonymous: sent to log in, then back
    await page.fill("input[name=email]", "aoi@example.jp")
    await page.fill("input[name=password]", f.PASSWORD)
    await page.click("form button[type=submit]")
    await page.wait_for_url(f"{live_server}/contacts**")

    await page.goto(f"{live_server}/contacts/new")
    await page.fill("#first_name", "花子")
    await page.fill("#email", "hanako@example.jp")
    await page.click("form button[type=submit]")
    error = page.locator("#error-last_name")
    await error.wait_for()
    assert "required" in (await error.inner_text())
    assert await page.input_value("#first_name") == "花子"  # nothing typed is lost

    await page.fill("#last_name", "山田")
    await page.select_option("#account_id", str(account.id))
    await page.click("form button[type=submit]")
    await page.wait_for_url(re.compile(r".*/contacts/\d+$"))
    contact = await Contact.get(last_name="山田")
    assert page.url.rstrip("/").endswith(f"/contacts/{contact.id}")
    assert await page.locator("h1").inner_text() == "山田 花子"

    # A deal appears in the lazily loaded panel once it is there and the panel is refreshed.
    await f.make_deal(user, contacts=[contact], name="年間保守契約")
    panel = page.locator("#related-deals")
    await panel.get_by_role("button").first.click()
    await panel.get_by_text("年間保守契約").wait_for()

    await page.goto(f"{live_server}/settings/account")
    await page.select_option("select[name=language]", "ja")
    await page.locator("select[name=language]").evaluate("el => el.form.requestSubmit()")
    await page.get_by_role("link", name="連絡先").first.wait_for()
    assert await page.locator("html").get_attribute("lang") == "ja"
