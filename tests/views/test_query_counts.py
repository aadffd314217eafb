"""List pages and related lists send a fixed number of queries, however many rows they show."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.querycount import count_queries

HX = {"HX-Request": "true"}


async def _queries(client, url: str) -> int:
    with count_queries() as queries:
        response = await client.get(url, headers=HX)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("module", ["contacts", "deals"])
async def test_list_queries_do_not_grow_with_rows(signed_in, client, module):
    me = await signed_in("Sales")
    account = await f.make_account(me)
    make = f.make_contact if module == "contacts" else f.make_deal
    for _ in range(2):
        await make(me, account=account)
    await _queries(client, f"/{module}")  # what the user may reach is read once, then kept
    few = await _queries(client, f"/{module}")
    for _ in range(10):
        await make(me, account=account)
    assert await _queries(client, f"/{module}") == few
    assert few <= 7, "session with the access stamp, count, rows, owners/stages, referenced accounts"


async def test_related_list_queries_do_not_grow_with_rows(signed_in, client):
    me = await signed_in("Sales")
    deal = await f.make_deal(me, contacts=[await f.make_contact(me)])
    await _queries(client, f"/deals/{deal.id}/related/contacts")  # what the user may reach is kept
    few = await _queries(client, f"/deals/{deal.id}/related/contacts")
    many = await f.make_deal(me, contacts=[await f.make_contact(me) for _ in range(8)])
    assert await _queries(client, f"/deals/{many.id}/related/contacts") == few
