"""Fixtures the Books page tests share (imported by tests/views/test_books_*.py): an organization
with a signed-in accountant, its Principal for preparing data through the services, a customer."""

from __future__ import annotations

import re

import pytest

from app.permissions import Principal
from tests import factories as f
from tests.views.conftest import HX, token

__all__ = ["accountant", "org", "principal", "customer", "hx_post", "text_of"]


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
