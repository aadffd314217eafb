"""Two people in two browser contexts chat live: what one sends appears on the other's page
without reloading (htmx's SSE extension on /chat/stream), in the full page and in the bar at the
bottom of a Books page; under the Content-Security-Policy, with markup shown as text."""

from __future__ import annotations

import pytest

from app.permissions import Principal
from app.services import chat
from tests import factories as f
from tests.browser.test_csp import RECORD_VIOLATIONS, sign_in, violations

pytestmark = pytest.mark.browser


async def stream_open(page, selector: str) -> None:
    """Wait until the element's EventSource is open (polled from here: the page's CSP forbids the
    string evaluation `wait_for_function` uses)."""
    from tests.unit.test_jobs import until

    script = f"htmx.find({selector!r})?.['htmx-internal-data']?.sseEventSource?.readyState === 1"
    await until(lambda: page.evaluate(script), 10, f"the stream of {selector}")


async def test_two_users_see_each_others_messages_live(live_server, live_db, chromium_path):
    from playwright.async_api import async_playwright, expect

    alice = await f.make_user("Accountant", email="alice@example.jp", name="経理 花子")
    bob = await f.make_user("Sales", email="bob@example.jp", name="営業 太郎")
    await f.make_org(alice)
    channel = await chat.create_channel(await Principal.load(alice), "営業と経理", member_ids=[bob.id])

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path, headless=True,
                                           args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        try:
            pages = []
            for email in ("alice@example.jp", "bob@example.jp"):
                context = await browser.new_context(locale="ja-JP")
                page = await context.new_page()
                page.set_default_timeout(10_000)
                await page.add_init_script(RECORD_VIOLATIONS)
                await sign_in(page, live_server, email)
                pages.append(page)
            alice_page, bob_page = pages

            # Alice on a Books page with the bar; Bob on the full chat page.
            await alice_page.goto(f"{live_server}/books/invoices")
            bar = alice_page.locator("#chat-bar")
            await bar.locator("summary").click()  # the bar starts folded
            await bob_page.goto(f"{live_server}/chat/{channel.id}")
            await stream_open(bob_page, "#chat-live")
            await stream_open(alice_page, "#chat-bar")

            await bar.locator("textarea[name=body]").fill("請求書を送りました <b>太字</b>")
            await bar.locator("form.chat-form button").click()
            bob_list = bob_page.locator(f"#chat-list-{channel.id}")
            await expect(bob_list.locator(".chat-body").last).to_have_text("請求書を送りました <b>太字</b>")
            await expect(bar.locator(".chat-body").last).to_have_text("請求書を送りました <b>太字</b>")

            await bob_page.locator(f"#chat-form-{channel.id} textarea[name=body]").fill("ありがとうございます")
            await bob_page.locator(f"#chat-form-{channel.id} button").click()
            await expect(bar.locator(".chat-body").last).to_have_text("ありがとうございます")
            await expect(bob_page.locator(f"#chat-form-{channel.id} textarea")).to_have_value("")

            # Bob edits his message: Alice's bar shows the new text in place.
            mine = bob_page.locator(".chat-msg").last
            await mine.locator("summary").click()
            await mine.locator("textarea[name=body]").fill("ありがとうございます!")
            await mine.locator("button", has_text="保存").click()
            await expect(bar.locator(".chat-body").last).to_have_text("ありがとうございます!")
            await expect(bar.locator(".chat-edited")).to_have_count(1)

            assert await violations(alice_page) == [] and await violations(bob_page) == []
        finally:
            await browser.close()
