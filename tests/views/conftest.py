"""Page-test helpers: sign in through the login form, read the CSRF token pages carry."""

from __future__ import annotations

import re

import httpx
import pytest

from app.permissions import Principal
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


# ---- Books pages: an organization with a signed-in accountant, its Principal for preparing data
# through the services, and a customer.

@pytest.fixture
async def accountant(signed_in):
    return await signed_in("Accountant", name="経理 花子")


@pytest.fixture
async def org(accountant):
    return await f.make_org(accountant)


@pytest.fixture
async def principal(org, accountant):
    return await Principal.load(accountant)


@pytest.fixture
async def customer(org):
    return await f.make_customer(org, display_name="株式会社テスト")


async def hx_post(client, url: str, data: dict | None = None, **kw):
    """An htmx POST: the CSRF token in the header, as base.html's hx-headers sends it."""
    headers = {**HX, "X-CSRF-Token": await token(client)}
    return await client.post(url, data=data, headers=headers, **kw)


def text_of(html: str, element_id: str) -> str:
    """The text inside the element with this id (tags dropped, whitespace collapsed)."""
    match = re.search(rf'id="{re.escape(element_id)}"[^>]*>(.*?)</(?:td|dd|p|span|output|li|div)>', html, re.S)
    assert match, f"no element #{element_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())
