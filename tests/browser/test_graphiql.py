"""GraphiQL works with no internet: signed in, /graphql opens the vendored GraphiQL and runs a
query while every request to another host is blocked, with no CSP violation (its settings dialog
included)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests import factories as f
from tests.browser.test_csp import RECORD_VIOLATIONS, sign_in, violations

pytestmark = pytest.mark.browser


async def test_graphiql_runs_a_query_offline(live_server, live_db, browser_page):
    page = browser_page
    await f.make_user("Sales", email="aoi@example.jp", name="佐藤 葵")
    local = urlsplit(live_server).netloc
    elsewhere: list[str] = []

    async def only_local(route):
        if urlsplit(route.request.url).netloc == local:
            await route.continue_()
        else:
            elsewhere.append(route.request.url)
            await route.abort()

    await page.context.route("**/*", only_local)
    await page.context.add_init_script(RECORD_VIOLATIONS)
    await sign_in(page, live_server, "aoi@example.jp")

    await page.goto(f"{live_server}/graphql")
    editor = page.locator(".graphiql-query-editor .CodeMirror")
    await editor.wait_for()
    await page.locator(".graphiql-execute-button").click()
    result = page.locator(".graphiql-response")
    await result.get_by_text('"aoi@example.jp"').wait_for()
    assert '"佐藤 葵"' in await result.inner_text()
    # Its dialogs insert a <style> (scroll lock): allowed by the page's nonce, nothing refused.
    await page.get_by_role("button", name="Open settings dialog").click()
    await page.get_by_role("dialog").wait_for()
    await page.keyboard.press("Escape")
    await page.get_by_role("dialog").wait_for(state="detached")
    assert elsewhere == []
    assert await violations(page) == []
