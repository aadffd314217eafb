"""Signing in and out, the login redirect, open-redirect protection, throttling and CSRF."""

from __future__ import annotations

import pytest

from app import settings
from app.permissions import CRM_MODULES
from tests import factories as f
from tests.views.conftest import csrf_of, login, post

PAGES = [f"/{m}" for m in CRM_MODULES] + ["/", "/settings/account", "/settings/users", "/contacts/new"]


@pytest.mark.parametrize("path", PAGES)
async def test_anonymous_visitors_are_sent_to_login_and_back(client, path):
    response = await client.get(path + "?q=x")
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}%3Fq%3Dx"


async def test_anonymous_htmx_request_is_redirected_by_header(client):
    response = await client.get("/contacts", headers={"HX-Request": "true", "HX-Target": "rows",
                                                       "HX-Current-URL": "http://testserver/contacts?q=a"})
    assert response.headers["HX-Redirect"] == "/login?next=/contacts%3Fq%3Da"


async def test_login_returns_to_next_page(client):
    user = await f.make_user("Sales")
    response = await login(client, user, "/contacts?q=abc")
    assert response.status_code == 303
    assert response.headers["location"] == "/contacts?q=abc"
    page = await client.get("/contacts?q=abc")
    assert page.status_code == 200 and user.name in page.text


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"])
async def test_login_never_redirects_off_site(client, target):
    user = await f.make_user("Sales")
    response = await login(client, user, target)
    assert response.headers["location"] == "/"


async def test_wrong_password_shows_message_and_keeps_email(client):
    user = await f.make_user("Sales")
    page = await client.get("/login")
    response = await client.post("/login", data={"email": user.email, "password": "nope",
                                                 "csrf_token": csrf_of(page.text)})
    assert response.status_code == 401
    assert "Wrong e-mail address or password." in response.text
    assert f'value="{user.email}"' in response.text
    assert (await client.get("/contacts")).status_code == 303  # still anonymous


async def test_login_throttling_message(client, clock):
    user = await f.make_user("Sales")
    token = csrf_of((await client.get("/login")).text)
    for _ in range(settings.LOGIN_PAIR_FREE):
        await client.post("/login", data={"email": user.email, "password": "bad", "csrf_token": token})
    response = await client.post("/login", data={"email": user.email, "password": f.PASSWORD,
                                                 "csrf_token": token})
    assert response.status_code == 401
    assert "Too many failed attempts. Try again in a second." in response.text
    # The wait doubles with each further failure, and is told in the visitor's language.
    clock.advance(1)
    await client.post("/login", data={"email": user.email, "password": "bad", "csrf_token": token})
    response = await client.post("/login", data={"email": user.email, "password": f.PASSWORD, "csrf_token": token},
                                 headers={"Accept-Language": "ja"})
    assert response.status_code == 401
    assert "ログインの失敗が多すぎます。2 秒後に再度お試しください。" in response.text


async def test_login_without_csrf_token_is_refused(client):
    user = await f.make_user("Sales")
    await client.get("/login")
    response = await client.post("/login", data={"email": user.email, "password": f.PASSWORD})
    assert response.status_code == 403
    assert "form is stale" in response.text


async def test_unsafe_request_without_csrf_token_is_refused(signed_in, client):
    await signed_in("Sales")
    response = await client.post("/contacts", data={"last_name": "Sato"})
    assert response.status_code == 403
    ok = await post(client, "/contacts", {"last_name": "Sato"})
    assert ok.status_code == 303


async def test_pages_carry_the_token_for_htmx_and_forms(signed_in, client):
    await signed_in("Sales")
    html = (await client.get("/contacts/new")).text
    token = csrf_of(html)
    assert f'hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'' in html
    response = await client.post("/contacts", data={"last_name": "Sato"},
                                 headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert response.headers["HX-Location"].startswith("/contacts/")


async def test_logout_ends_the_session(signed_in, client):
    await signed_in("Sales")
    response = await post(client, "/logout")
    assert response.headers["location"] == "/login"
    assert (await client.get("/contacts")).status_code == 303


async def test_parallel_wrong_passwords_through_the_login_page_are_counted_atomically(client, clock):
    import asyncio

    user = await f.make_user("Sales")
    token = csrf_of((await client.get("/login")).text)
    passwords = ["bad"] * 40
    passwords[37] = f.PASSWORD

    async def attempt(password: str):
        return await client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})

    responses = await asyncio.gather(*(attempt(p) for p in passwords))
    checked = [r for r in responses if "Wrong e-mail address or password." in r.text]
    assert len(checked) == settings.LOGIN_PAIR_FREE
    assert responses[37].status_code == 401 and "Too many failed attempts" in responses[37].text
    assert all(r.status_code == 401 for r in responses)
