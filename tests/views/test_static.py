"""htmx is vendored (pinned 2.x, with its source noted) and the pages load it and the CSS."""

from __future__ import annotations

import hashlib

from app import settings

VENDOR = settings.BASE_DIR / "static" / "vendor"
HTMX = "htmx-2.0.11.min.js"
SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"


def test_htmx_is_the_pinned_2x_release_with_its_source_noted():
    assert hashlib.sha256((VENDOR / HTMX).read_bytes()).hexdigest() == SHA256
    readme = (VENDOR / "README.md").read_text()
    assert "2.0.11" in readme and "htmx.org" in readme and "4.x" in readme and SHA256 in readme


async def test_pages_load_htmx_and_css(client):
    login = await client.get("/login")
    assert f'<script src="/static/vendor/{HTMX}" defer></script>' in login.text
    assert '"422", "swap": true' in login.text  # validation errors are swapped in place
    script = await client.get(f"/static/vendor/{HTMX}")
    assert script.status_code == 200 and "htmx" in script.text[:200]
    css = await client.get("/static/css/app.css")
    assert css.status_code == 200 and "Hiragino" in css.text
