"""The company seal (角印) in a real Chromium: chosen in Settings > Organization and uploaded
through htmx (multipart, the CSRF token as a header), shown in its panel, refused beside the
field when the file is a decompression bomb, and removed again; no console error or
Content-Security-Policy violation on the way."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.browser.test_csp import RECORD_VIOLATIONS, sign_in, violations, watch_console
from tests.views.test_books_seal import png_claiming, seal_png

pytestmark = pytest.mark.browser


async def test_seal_upload_refusal_and_removal(live_server, live_db, browser_page, tmp_path):
    page = browser_page
    admin = await f.make_user("Administrator", email="kanri@kizuna.example.jp")
    await f.make_org(admin, name="株式会社キズナ")
    bomb, seal = tmp_path / "bomb.png", tmp_path / "角印.png"
    bomb.write_bytes(png_claiming(5000, 5000))
    seal.write_bytes(seal_png())

    await page.context.add_init_script(RECORD_VIOLATIONS)
    console = watch_console(page)
    await sign_in(page, live_server, admin.email)
    await page.goto(f"{live_server}/books/settings")
    await page.locator("#seal .empty").wait_for()

    await page.set_input_files("#seal-file", str(bomb))
    await page.locator("#seal-form button[type=submit]").click()
    await page.locator("#error-seal", has_text="The image is larger than 4096 x 4096 pixels.").wait_for()

    await page.set_input_files("#seal-file", str(seal))
    await page.locator("#seal-form button[type=submit]").click()
    await page.wait_for_function(  # served back whole: the browser decodes all 240 pixels of it
        "() => { const img = document.querySelector('#seal-image'); return img && img.complete && img.naturalWidth === 240; }")

    await page.locator("#remove-seal").click()
    await page.locator("#seal .empty").wait_for()
    assert await page.locator("#seal-image").count() == 0

    assert await violations(page) == []
    assert [m for m in console if "status of 422" not in m] == []
