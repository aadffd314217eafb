"""Page-test helpers: sign in through the login form, read the CSRF token pages carry."""

from __future__ import annotations

import re

import httpx
import pytest

from tests import factories as f

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
HX = {"HX-Request": "true"}


def csrf_of(html: str) -> str:
    match = TOKEN_RE.search(html)
    assert match, "page carries no csrf_token field"
    return match.group(1)


async def login(client: httpx.AsyncClient, user, next_url: str = "/") -> httpx.Response:
    client.cookies.clear()  # start anonymous: a signed-in visitor is sent past the login page
    page = await client.get("/login")
    return await client.post("/login", data={
        "email": user.email, "password": f.PASSWORD, "csrf_token": csrf_of(page.text), "next": next_url,
    })


async def token(client: httpx.AsyncClient) -> str:
    """The signed-in session's CSRF token, as every page embeds it."""
    return csrf_of((await client.get("/settings/account")).text)


async def post(client: httpx.AsyncClient, url: str, data: dict | None = None, htmx: bool = False, **kw):
    data = {**(data or {}), "csrf_token": await token(client)}
    return await client.post(url, data=data, headers=HX if htmx else None, **kw)


@pytest.fixture
def signed_in(client):
    """`await signed_in(role)` -> a new user of that role, signed in on `client`."""

    async def sign_in(role: str = "Sales", **kw):
        user = await f.make_user(role, **kw)
        response = await login(client, user)
        assert response.status_code == 303
        return user

    return sign_in
