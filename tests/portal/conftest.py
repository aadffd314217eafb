"""Portal fixtures: an organization that sends mail through the test SMTP server, a customer with
a contact person, a sent estimate and a sent invoice; the portal's rate limiter starts empty."""

from __future__ import annotations

import re

import pytest

from app.models import Kind
from app.permissions import Principal
from app.services import portal_sessions, workflow
from tests import factories as f
from tests.views.conftest import csrf_of  # noqa: F401 (re-exported for the tests)

PERSON_EMAIL = "yamada@customer.example"


@pytest.fixture(autouse=True)
def fresh_limiter():
    portal_sessions.limiter.clear()
    yield
    portal_sessions.limiter.clear()


@pytest.fixture
async def staff(db):
    return await f.make_user("Accountant", name="経理 花子")


@pytest.fixture
async def org(staff):
    return await f.make_org(staff, name="株式会社キズナ")


@pytest.fixture
async def principal(org, staff):
    return await Principal.load(staff)


@pytest.fixture
async def customer(org):
    return await f.make_customer(org, display_name="株式会社テスト", persons=[
        {"last_name": "山田", "first_name": "太郎", "email": PERSON_EMAIL}])


@pytest.fixture
async def estimate(principal, customer):
    txn = await f.make_transaction(principal, "estimate", customer, [("設計", 10, 30000, 10), ("お弁当", 3, 800, 8)],
                                   terms="納品後30日以内にお支払いください。")
    return await workflow.mark_sent(principal, Kind.ESTIMATE, txn.id)


@pytest.fixture
async def invoice(principal, customer):
    txn = await f.make_transaction(principal, "invoice", customer, [("コンサルティング", 2, 50000, 10)])
    return await workflow.mark_sent(principal, Kind.INVOICE, txn.id)


async def smtp_on(org, port: int) -> None:
    org.smtp_host, org.smtp_port, org.smtp_security = "127.0.0.1", port, "none"
    org.sender_email, org.sender_name = "billing@kizuna.example", "キズナ 経理"
    await org.save()


LINK_RE = re.compile(r"(/portal/sign-in/[A-Za-z0-9_\-]+)")


def link_in(message) -> str:
    body = message.get_body(("plain",)).get_content()
    match = LINK_RE.search(body)
    assert match, body
    return match.group(1)


async def form_post(client, page_url: str, action: str, data: dict):
    """Post a portal form as a browser does: the CSRF token of the page it is on."""
    page = await client.get(page_url)
    return await client.post(action, data={**data, "csrf_token": csrf_of(page.text)})
