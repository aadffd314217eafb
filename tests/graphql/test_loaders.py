"""N+1 guard: a list query costs one SQL query per relation, whatever the page size."""

from __future__ import annotations

import pytest

from app.models import Access
from tests import factories as f
from tests.querycount import count_queries

QUERY = """query($n: Int) { contacts(first: $n) { edges { node {
  account { name } deals { name stage { name } } } } } }"""
# The benchmark's query: keep these field names working.
BENCH = """{ contacts(first: 50) { edges { node { id firstName lastName email account { id name }
  deals { id name amount currency stage { name category } } } } } }"""


async def make_contacts(owner, n: int) -> None:
    for i in range(n):
        account = await f.make_account(owner)
        contact = await f.make_contact(owner, account=account)
        await f.make_deal(owner, contacts=[contact])
        await f.make_deal(owner, contacts=[contact], account=account)


async def test_query_count_does_not_grow_with_the_page(gql):
    owner = await f.make_user("Sales")
    await make_contacts(owner, 40)
    await gql(owner, "{ me { timezone } }")  # creates the token and records its first use

    counts = {}
    for n in (5, 40):
        with count_queries() as queries:
            data = await gql(owner, QUERY, {"n": n})
        assert len(data["contacts"]["edges"]) == n
        assert all(len(e["node"]["deals"]) == 2 for e in data["contacts"]["edges"])
        counts[n] = len(queries)
    assert counts[5] == counts[40], queries.sql
    # the user with their token and the access stamp (what they may reach is kept from the first
    # request); then contacts, stages, accounts, deals with their links
    assert counts[40] == 5, queries.sql


async def test_benchmark_query_shape(gql):
    owner = await f.make_user("Sales")
    await make_contacts(owner, 3)
    data = await gql(owner, BENCH)
    node = data["contacts"]["edges"][0]["node"]
    assert set(node) == {"id", "firstName", "lastName", "email", "account", "deals"}
    assert set(node["deals"][0]) == {"id", "name", "amount", "currency", "stage"}
    assert set(node["deals"][0]["stage"]) == {"name", "category"}


async def test_batched_relations_still_filter_per_user(gql):
    me = await f.make_user("Sales")
    other = await f.make_user("Sales")
    await make_contacts(other, 3)
    await f.share("contacts", Access.READ_ONLY, owner=other, grantee=me)
    data = await gql(me, QUERY, {"n": 10})
    nodes = [e["node"] for e in data["contacts"]["edges"]]
    assert len(nodes) == 3
    assert all(n["account"] is None and n["deals"] == [] for n in nodes)


async def test_records_read_with_some_columns_answer_every_selection(gql):
    """Lists read only the columns the document needs; the same record reached another way in the
    same request (another field, node(id:), a fragment) still has everything that way asks for."""
    owner = await f.make_user("Administrator")
    account = await f.make_account(owner, name="株式会社テスト", phone="03-1111-2222")
    contact = await f.make_contact(owner, account=account, first_name="花子", email="hanako@example.jp")
    deal = await f.make_deal(owner, contacts=[contact], account=account, name="大型案件")
    from tests.graphql.conftest import gid

    data = await gql(owner, """query($a: ID!) {
      contacts(first: 5) { edges { node { firstName account { name } ...Deals } } }
      node(id: $a) { ... on Account { phone website name deals { name amount account { phone } } } }
      deals(first: 5) { edges { node { name stage { name } account { phone name } } } }
    }
    fragment Deals on Contact { email deals { name account { phone } } }""", {"a": gid("Account", account.id)})
    contact_node = data["contacts"]["edges"][0]["node"]
    assert contact_node == {"firstName": "花子", "account": {"name": "株式会社テスト"}, "email": "hanako@example.jp",
                            "deals": [{"name": "大型案件", "account": {"phone": "03-1111-2222"}}]}
    assert data["node"]["phone"] == "03-1111-2222" and data["node"]["deals"][0]["account"]["phone"] == "03-1111-2222"
    deal_node = data["deals"]["edges"][0]["node"]
    assert deal_node["account"] == {"phone": "03-1111-2222", "name": "株式会社テスト"}
    assert deal_node["name"] == deal.name and deal_node["stage"]["name"]

    # a field that declares nothing (the deal's contacts) gets whole records
    data = await gql(owner, """{ contacts(first: 5) { edges { node {
      deals { name contacts { role contact { email } } } } } } }""")
    assert data["contacts"]["edges"][0]["node"]["deals"] == [
        {"name": "大型案件", "contacts": [{"role": "Decision maker", "contact": {"email": "hanako@example.jp"}}]}]


async def test_records_read_with_some_columns_cannot_be_saved(db):
    """A record read for an answer holds only what the answer shows: writing it back would blank
    the rest, so tortoise must refuse, as it does for `only()`."""
    from tortoise.exceptions import IncompleteInstanceError

    from app.models import Account
    from schema.columns import records

    owner = await f.make_user("Administrator")
    account = await f.make_account(owner, name="株式会社テスト", phone="03-1111-2222")
    [partial] = await records(Account.filter(id=account.id), ["id", "name"])
    assert (partial.id, partial.name) == (account.id, "株式会社テスト")
    partial.name = "変更"
    with pytest.raises(IncompleteInstanceError):
        await partial.save()
    assert (await Account.get(id=account.id)).phone == "03-1111-2222"
