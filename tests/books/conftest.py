"""Books fixtures: an organization with an accountant and a customer."""

from __future__ import annotations

import pytest

from app.permissions import Principal
from tests import factories as f


@pytest.fixture
async def accountant_user(db):
    return await f.make_user("Accountant", name="経理 花子")


@pytest.fixture
async def org(accountant_user):
    return await f.make_org(accountant_user)


@pytest.fixture
async def accountant(org, accountant_user):
    return await Principal.load(accountant_user)


@pytest.fixture
async def customer(org):
    return await f.make_customer(org, display_name="株式会社テスト")


@pytest.fixture
async def twentieth(customer):
    """The customer on 20日締め翌月10日払い: periods 10/21-11/20, 11/21-12/20."""
    customer.payment_terms = "close_20_1_10"
    await customer.save()
    return customer
