"""Importing contacts from an Outlook CSV in a real Chromium: one contact's department is over its
50 characters, so the report shows it ignored with the reason; on the report the user fixes the
department inline (its length counts down as they type), syncs it, and the new report shows it
added with nothing left pending."""

from __future__ import annotations

import re

import pytest

from app.models import Contact
from tests import factories as f

pytestmark = pytest.mark.browser

CSV = ("First Name,Last Name,Company,Department,E-mail Address\r\n"
       "太郎,山田,さくら商事,営業部,taro@example.jp\r\n"
       "花子,鈴木,さくら商事," + "営" * 61 + ",hanako@example.jp\r\n").encode("utf-8-sig")


async def test_import_ignored_then_fixed_and_synced(live_server, live_db, browser_page, tmp_path):
    page = browser_page
    await f.make_user("Sales", email="pim@example.jp", name="Pim User")
    await page.goto(f"{live_server}/contacts")  # sent to log in, then back
    await page.fill("input[name=email]", "pim@example.jp")
    await page.fill("input[name=password]", f.PASSWORD)
    await page.click("form button[type=submit]")
    await page.wait_for_url(f"{live_server}/contacts**")

    # From the Contacts list to Import, the kind chosen.
    await page.click("#import-records")
    await page.wait_for_url(re.compile(r".*/settings/pim/import\?kind=contacts$"))
    path = tmp_path / "contacts.csv"
    path.write_bytes(CSV)
    await page.set_input_files("#file", str(path))
    await page.click("#upload")

    # The mapping step: the guessed mapping and the first rows as mapped; then import.
    await page.wait_for_url(re.compile(r".*/settings/pim/import/[A-Za-z0-9_-]+"))
    assert "taro@example.jp" in await page.locator("#preview-table").inner_text()
    await page.click("#import-button")

    await page.wait_for_url(re.compile(r".*/settings/pim/runs/\d+$"))
    first_report = page.url
    counts = (await page.locator("#count-contacts").inner_text()).split()
    assert counts[-4:] == ["1", "0", "0", "1"]  # added, updated, deleted, ignored
    ignored = page.locator("#ignored tr.reason-limit")
    assert "鈴木" in await ignored.inner_text()
    assert "Must be at most 50 characters (now 61)." in await ignored.inner_text()
    assert await Contact.filter(last_name="鈴木").count() == 0

    # Back to the report from the list of reports; fix the department inline and sync it.
    await page.goto(f"{live_server}/settings/pim/runs")
    await page.click(f"a[href='{first_report.removeprefix(live_server)}']")
    await page.wait_for_url(first_report)
    fix = page.locator("#ignored input.fix")
    await fix.fill("営業部")
    length = page.locator("#ignored output.length")
    assert (await length.inner_text()).strip() == "3 / 50"
    assert await page.locator("#ignored input[name=ignored]").is_checked()  # typing picked the row
    await page.click("#sync-selected")

    await page.wait_for_url(re.compile(r".*/settings/pim/runs/\d+$"))
    assert page.url != first_report
    counts = (await page.locator("#count-contacts").inner_text()).split()
    assert counts[-4:] == ["1", "0", "0", "0"]
    await page.locator("#none-pending").wait_for()
    contact = await Contact.get(last_name="鈴木")
    assert contact.department == "営業部"
