"""Books inside the CRM through GraphQL: `books` on Account, Contact and Deal (documents with
their payment status, receivables, what may be created and e-mailed), under the pages' rules:
the permission walk, a record not visible, the link disabled and enabled again, a switched
organization; batched (the query count does not grow with the page of accounts)."""

from __future__ import annotations

import pytest

from app.models import DealDocument
from app.services import books_link
from tests import factories as f
from tests.books_crm_world import WALK, World, link_record, make_crm_user, make_world, switch
from tests.graphql.conftest import gid
from tests.querycount import count_queries

BOOKS = """books { documents { id kind number issueDate status total balanceDue paymentStatus url pdfUrl }
  receivables { customerName outstanding overdue current } canCreate canEmail }"""
ACCOUNTS = "query($n: Int) { accounts(first: $n) { edges { node { name %s } } } }" % BOOKS
NODE = "query($id: ID!) { node(id: $id) { ... on Account { %s } ... on Contact { %s } ... on Deal { %s } } }" % (
    BOOKS, BOOKS, BOOKS)


@pytest.fixture
async def world(db) -> World:
    return await make_world()


@pytest.fixture
async def crm(world):
    seller = await make_crm_user(WALK["view"] | WALK["create_edit"] | WALK["email"])
    account = await f.make_account(seller, name="株式会社さくら商事")
    contact = await f.make_contact(seller, account=account, email="sato@sakura.example.jp")
    deal = await f.make_deal(seller, account=account, contacts=[contact])
    books = world.keeper_principal
    customer = await f.make_customer(world.sakura)
    await link_record(world.sakura, account, customer)
    estimate = await f.make_transaction(books, "estimate", customer)
    invoice = await f.make_sent_invoice(books, customer, [("作業費", 1, 10000, 10)])
    await DealDocument.create(deal=deal, organization=world.sakura, kind="estimate", txn=estimate)
    elsewhere = await f.make_customer(world.tsubaki)
    await link_record(world.tsubaki, account, elsewhere)
    other = await f.make_transaction(books, "invoice", elsewhere)
    return {"seller": seller, "account": account, "contact": contact, "deal": deal, "estimate": estimate,
            "invoice": invoice, "other": other}


async def books_of(gql, user, type_name: str, pk: int):
    return (await gql(user, NODE, {"id": gid(type_name, pk)}))["node"]["books"]


async def test_an_accounts_books(gql, crm):
    books = await books_of(gql, crm["seller"], "Account", crm["account"].id)
    invoice, estimate = crm["invoice"], crm["estimate"]
    by_number = {d["number"]: d for d in books["documents"]}
    assert set(by_number) == {invoice.number, estimate.number}
    row = by_number[invoice.number]
    assert row["id"] == gid("Invoice", invoice.id) and row["kind"] == "INVOICE"
    assert row["total"] == "11000" and row["balanceDue"] == "11000" and row["paymentStatus"] == "UNPAID"
    assert row["status"] == "SENT"
    assert row["pdfUrl"] == f"/accounts/{crm['account'].id}/books/invoices/{invoice.id}.pdf"
    assert by_number[estimate.number]["paymentStatus"] is None and by_number[estimate.number]["balanceDue"] is None
    assert books["receivables"][0]["outstanding"] == "11000"
    assert set(books["canCreate"]) == {"ESTIMATE", "SALES_ORDER", "INVOICE"}
    deal_books = await books_of(gql, crm["seller"], "Deal", crm["deal"].id)
    assert [d["number"] for d in deal_books["documents"]] == [estimate.number]
    assert deal_books["canCreate"] == [] and deal_books["receivables"] is None


@pytest.mark.parametrize("walk", ["none", "view", "create_edit", "email"])
async def test_the_permission_walk(gql, crm, walk):
    user = await make_crm_user(WALK[walk], sees_all=True)
    books = await books_of(gql, user, "Account", crm["account"].id)
    if walk == "none":
        assert books is None
        return
    assert {d["number"] for d in books["documents"]} == {crm["invoice"].number, crm["estimate"].number}
    assert (books["receivables"] is not None) == (walk == "view")
    assert (books["canCreate"] != []) == (walk == "create_edit")
    assert (books["canEmail"] != []) == (walk == "email")


async def test_a_record_not_visible_has_no_books(gql, crm):
    stranger = await make_crm_user(WALK["view"])  # sees only their own records
    data = await gql(stranger, NODE, {"id": gid("Account", crm["account"].id)})
    assert data["node"] is None
    data = await gql(stranger, ACCOUNTS, {"n": 10})
    assert data["accounts"]["edges"] == []


async def test_disabled_then_enabled_and_switched(gql, crm, world):
    seller, account = crm["seller"], crm["account"]
    await books_link.set_enabled(world.crm_admin, False)
    assert await books_of(gql, seller, "Account", account.id) is None
    await books_link.set_enabled(world.crm_admin, True)
    assert len((await books_of(gql, seller, "Account", account.id))["documents"]) == 2
    await switch(world, world.tsubaki)
    books = await books_of(gql, seller, "Account", account.id)
    assert [d["number"] for d in books["documents"]] == [crm["other"].number]
    assert (await books_of(gql, seller, "Deal", crm["deal"].id))["documents"] == []


async def test_query_count_does_not_grow_with_the_page_of_accounts(gql, world):
    seller = await make_crm_user(WALK["view"])
    for i in range(12):
        account = await f.make_account(seller)
        customer = await f.make_customer(world.sakura)
        await link_record(world.sakura, account, customer)
        await f.make_sent_invoice(world.keeper_principal, customer)
    await gql(seller, "{ me { timezone } }")  # creates the token and records its first use
    counts = {}
    for n in (3, 12):
        with count_queries() as queries:
            data = await gql(seller, ACCOUNTS, {"n": n})
        edges = data["accounts"]["edges"]
        assert len(edges) == n and all(len(e["node"]["books"]["documents"]) == 1 for e in edges)
        counts[n] = len(queries)
    assert counts[3] == counts[12], queries.sql
    # the user and the page of accounts; the link (with its key's check: a handful, once per request);
    # then the mapping rows, the documents, and the receivables with their customers' names
    assert counts[12] <= 12, queries.sql
