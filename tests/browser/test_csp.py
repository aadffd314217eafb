"""The pages work under the Content-Security-Policy: no violation is reported on any main page,
and what used to be inline script (confirm before revoking, removing an invoice line, "Back")
still works from static/js/app.js."""

from __future__ import annotations

import re

import pytest

from app.auth import create_api_token
from app.models import ApiToken
from app.permissions import Principal
from tests import factories as f

pytestmark = pytest.mark.browser

# Runs before any page script (DevTools injects it, so the CSP does not apply to it): records every
# violation the page reports, whatever its kind (script, style, eval, connect, frame...).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


async def sign_in(page, base: str, email: str) -> None:
    await page.goto(f"{base}/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", f.PASSWORD)
    await page.click("form button[type=submit]")
    await page.wait_for_url(re.compile(r".*/(?!login).*$"))


def watch_console(page) -> list[str]:
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: messages.append(str(e)))
    return messages


async def violations(page) -> list[str]:
    return await page.evaluate("window.__cspViolations")


async def test_main_pages_report_no_csp_violation(live_server, live_db, browser_page):
    page = browser_page
    admin = await f.make_user("Administrator", email="admin@example.jp", name="管理 太郎")
    account = await f.make_account(admin, name="株式会社さくら商事")
    contact = await f.make_contact(admin, account=account, last_name="山田", first_name="花子")
    deal = await f.make_deal(admin, contacts=[contact], name="年間保守契約")
    await f.make_task(admin, subject="見積書を送る")
    org = await f.make_org(admin)
    customer = await f.make_customer(org, display_name="株式会社テスト")
    invoice = await f.make_sent_invoice(await Principal.load(admin), customer)
    await page.context.add_init_script(RECORD_VIOLATIONS)
    console = watch_console(page)

    await page.goto(f"{live_server}/login")
    assert await violations(page) == []
    await sign_in(page, live_server, "admin@example.jp")
    urls = [
        "/", "/accounts", f"/accounts/{account.id}", "/contacts", f"/contacts/{contact.id}", "/contacts/new",
        "/leads", "/deals", f"/deals/{deal.id}", "/tasks", "/events", "/calendar", "/calendar?view=week", "/cases",
        "/books/contacts", "/books/items", "/books/estimates", "/books/invoices", f"/books/invoices/{invoice.id}",
        "/books/invoices/new", "/books/receivables", "/books/settings", "/books/settings/templates",
        "/settings/users", "/settings/sharing", "/settings/account", f"/portal/{invoice.portal_token}",
        "/books/settings/integrations/chat", "/notifications",
        "/no/such/page",
    ]
    for url in urls:
        response = await page.goto(f"{live_server}{url}")
        assert response.status == (404 if url == "/no/such/page" else 200), url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        await page.wait_for_load_state("networkidle")  # htmx's lazy panels have loaded too
        assert await violations(page) == [], url
    assert not [m for m in console if "Content Security Policy" in m or "Refused" in m]

    # The detector itself works: markup with an inline handler is refused and reported.
    await page.evaluate("""document.body.insertAdjacentHTML("beforeend",
        '<img src="/static/favicon.svg" onload="window.__ran = true">')""")
    await page.wait_for_function("window.__cspViolations.length > 0")
    assert await page.evaluate("window.__ran") is None


async def test_behaviour_moved_out_of_inline_script_still_works(live_server, live_db, browser_page):
    page = browser_page
    user = await f.make_user("Accountant", email="keiri@example.jp", name="経理 花子")
    org = await f.make_org(user)
    customer = await f.make_customer(org, display_name="株式会社テスト")
    token, _secret = await create_api_token(user, "会計ソフト連携")
    await page.context.add_init_script(RECORD_VIOLATIONS)
    await sign_in(page, live_server, "keiri@example.jp")

    # Revoking a token asks first; dismissing keeps it, accepting revokes it.
    await page.goto(f"{live_server}/settings/account")
    revoke = page.locator(f"#token-{token.id} button")
    page.once("dialog", lambda d: d.dismiss())
    await revoke.click()
    await page.wait_for_load_state("networkidle")
    assert (await ApiToken.get(id=token.id)).revoked_at is None
    page.once("dialog", lambda d: d.accept())
    await revoke.click()
    await page.locator(f"#token-{token.id}").wait_for(state="detached")
    assert (await ApiToken.get(id=token.id)).revoked_at is not None

    # Removing an invoice line drops it and the totals follow.
    await page.goto(f"{live_server}/books/invoices/new")
    await page.select_option("#contact_id", str(customer.id))
    await page.fill("#lines-0-description", "コンサルティング")
    await page.fill("#lines-0-rate", "5000")
    await page.click("#add-line")
    await page.locator("#lines-1-description").wait_for()
    await page.fill("#lines-1-description", "お弁当")
    await page.fill("#lines-1-rate", "800")
    await page.locator("#sum-total", has_text="¥6,380").wait_for()
    await page.locator("#lines-1-description").locator("xpath=ancestor::tr").locator("button.remove-line").click()
    await page.locator("#lines-1-description").wait_for(state="detached")
    await page.locator("#sum-total", has_text="¥5,500").wait_for()

    # The error page's "Back" returns to the page before it.
    await page.goto(f"{live_server}/settings/account")
    await page.goto(f"{live_server}/no/such/page")
    await page.get_by_role("link", name="Back").click()
    await page.wait_for_url(f"{live_server}/settings/account")
    assert await violations(page) == []
