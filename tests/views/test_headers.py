"""Security headers on every response, Secure cookies over HTTPS, the 404 page and the favicon."""

from __future__ import annotations

import re

import httpx

from app import settings
from tests.views.conftest import csrf_of, login

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _csp(response: httpx.Response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {d.split()[0]: d.partition(" ")[2] for d in (p.strip() for p in policy.split(";")) if d}


async def test_pages_forbid_inline_script_and_framing(client, signed_in):
    anonymous = await client.get("/login")
    await signed_in("Sales")
    page = await client.get("/contacts")
    for response in (anonymous, page):
        assert response.status_code == 200
        csp = _csp(response)
        assert csp["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval', no CDN
        assert csp["style-src"] == "'self'"
        assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"


async def test_signed_in_pages_are_not_stored_but_static_files_are_cacheable(client, signed_in):
    login_page = await client.get("/login")
    assert "no-store" not in login_page.headers.get("cache-control", "")
    await signed_in("Sales")
    for url in ("/contacts", "/settings/account"):
        assert (await client.get(url)).headers["cache-control"] == "no-store"
    script = await client.get("/static/js/app.js")
    assert script.status_code == 200
    assert "cache-control" not in script.headers
    assert script.headers["x-content-type-options"] == "nosniff"


def test_templates_carry_no_inline_script_handler_or_style():
    templates = settings.BASE_DIR / "views" / "templates"
    for path in templates.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), f"inline <script> in {path}"
        assert not re.search(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", text), f"inline event handler in {path}"
        assert "javascript:" not in text, f"javascript: URL in {path}"
        assert not re.search(r"\sstyle\s*=", text), f"inline style in {path}"


async def test_session_cookie_is_secure_over_https(db, asgi_app):
    from tests import factories as f

    user = await f.make_user("Sales")
    transport = httpx.ASGITransport(app=asgi_app)
    async with httpx.AsyncClient(transport=transport, base_url="https://kizuna.example") as https:
        response = await login(https, user)
        assert response.status_code == 303
        cookies = response.headers.get_list("set-cookie")
        session = [c for c in cookies if c.startswith(f"{settings.SESSION_COOKIE}=")]
        assert session and all("secure" in c.lower().split("; ") for c in session)
        # ...and the browser's Secure cookie keeps the user signed in over HTTPS.
        assert (await https.get("/settings/account")).status_code == 200
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as plain:
        page = await plain.get("/login")
        response = await plain.post("/login", data={
            "email": user.email, "password": f.PASSWORD, "csrf_token": csrf_of(page.text)})
        cookies = response.headers.get_list("set-cookie")
        assert cookies and not any("secure" in c.lower().split("; ") for c in cookies)


async def test_unknown_address_shows_a_styled_translated_page(client, signed_in):
    response = await client.get("/no/such/page", headers=HTML)
    assert response.status_code == 404
    assert 'href="/static/css/app.css"' in response.text  # through base.html
    assert "There is no page at this address." in response.text
    ja = await client.get("/no/such/page", headers={**HTML, "Accept-Language": "ja"})
    assert ja.status_code == 404 and "このアドレスのページはありません。" in ja.text
    await signed_in("Sales")
    signed = await client.get("/no/such/page", headers=HTML)
    assert signed.status_code == 404 and 'id="my-account"' in signed.text  # the usual header
    plain = await client.get("/no/such/file.js", headers={"Accept": "*/*"})
    assert plain.status_code == 404 and plain.headers["content-type"].startswith("text/plain")


async def test_favicon_is_served_and_linked(client):
    icon = await client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = await client.get("/login")
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page.text
    svg = await client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
