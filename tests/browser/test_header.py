"""The header at 1280 px: every module of an administrator with Books fits on one or two rows, in
English (the longer labels) and in Japanese, and the language in use is marked."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests import factories as f
from tests.browser.test_csp import sign_in

pytestmark = pytest.mark.browser


async def _rows(page) -> float:
    """The header's height in rows of one module link (its height plus the header's padding)."""
    return await page.evaluate("""() => {
        const bar = document.querySelector('header.topbar');
        const link = bar.querySelector('nav.modules a');
        const style = getComputedStyle(bar);
        const padding = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
        return (bar.getBoundingClientRect().height - padding) / link.getBoundingClientRect().height;
    }""")


async def _signed_in(page, live_server, language: str) -> None:
    admin = await f.make_user("Administrator", email=f"header-{language}@example.com",
                              name="Administrator With A Long Name", language=language)
    await f.make_org(admin)  # Books: the organization switcher and every Books link
    await page.set_viewport_size({"width": 1280, "height": 800})
    await sign_in(page, live_server, admin.email)
    await page.goto(f"{live_server}/accounts")
    await page.wait_for_selector("header [hx-get='/books/organization/switcher']", state="detached")


@pytest.mark.parametrize("language, current, other", [("en", "English", "日本語"), ("ja", "日本語", "English")])
async def test_header_holds_on_two_rows_and_marks_the_language(live_server, live_db, browser_page,
                                                               language, current, other):
    page = browser_page
    await _signed_in(page, live_server, language)
    header = page.locator("header.topbar")
    for label in (("Accounts", "Products", "Sales orders", "Receivables", "Settings") if language == "en"
                  else ("取引先", "商品", "受注書", "売掛金", "設定")):
        assert await header.get_by_role("link", name=label, exact=True).is_visible()
    assert await _rows(page) < 2.5, "the header wraps onto a third row at 1280 px"
    switcher = page.locator("header .langs")
    active = switcher.locator("[aria-current=true], [aria-pressed=true]")
    assert await active.count() == 1 and (await active.inner_text()).strip() == current
    assert await switcher.get_by_role("button", name=other, exact=True).is_visible()
    # The other language is one click away and then marked in its turn.
    await switcher.get_by_role("button", name=other, exact=True).click()
    # expect() retries across the reload; a bare predicate can run while the new document is empty.
    await expect(page.locator("html")).to_have_attribute("lang", "ja" if language == "en" else "en")
    marked = page.locator("header .langs [aria-pressed=true]")
    assert (await marked.inner_text()).strip() == other
    assert await _rows(page) < 2.5
