"""GraphQL and the deal automation (issue 12): createDeal and updateDeal make and move the deal's
Books document as the pages do; setBooksAutomation changes the rule (administrators only; typed
errors otherwise)."""

from __future__ import annotations

from decimal import Decimal

from app.models import Automation, BooksLink, DealDocument, Kind, StageCategory, Status, Transaction
from tests import factories as f
from tests.books.test_books_automation import link_books
from tests.graphql.conftest import gid

CREATE = """mutation($input: DealInput!) { createDeal(input: $input) { __typename
  ... on DealPayload { deal { id amount } } ... on ValidationError { fields { path message } } } }"""
UPDATE = """mutation($id: ID!, $input: DealInput!) { updateDeal(id: $id, input: $input) { __typename
  ... on DealPayload { deal { id stage { name } } } ... on ValidationError { fields { path message } } } }"""
SET_RULE = """mutation($rule: BooksAutomation!) { setBooksAutomation(automation: $rule) { __typename
  ... on BooksLinkPayload { booksLink { automation active } }
  ... on NotFound { message } ... on PermissionDenied { message } ... on ValidationError { message } } }"""


async def stage(category: StageCategory) -> str:
    return gid("Stage", (await f.stage(category)).id)


async def documents_of(deal_gid: str) -> list[Transaction]:
    from schema.types.node import from_global_id

    ids = await DealDocument.filter(deal_id=int(from_global_id(deal_gid)[1])).values_list("txn_id", flat=True)
    return list(await Transaction.filter(id__in=ids).order_by("id"))


async def test_create_and_update_deal_drive_the_estimate_rule(gql, db):
    await link_books(Automation.ESTIMATE)
    seller = await f.make_user("Sales")
    account = await f.make_account(seller, name="株式会社さくら商事")
    created = (await gql(seller, CREATE, {"input": {
        "name": "複合機リース", "stageId": await stage(StageCategory.OPEN), "amount": "500000",
        "accountId": gid("Account", account.id)}}))["createDeal"]
    assert created["__typename"] == "DealPayload"
    deal_id = created["deal"]["id"]
    [estimate] = await documents_of(deal_id)
    assert (estimate.kind, estimate.status, estimate.created_by_id) == (Kind.ESTIMATE, Status.DRAFT, seller.id)
    for category in (StageCategory.WON, StageCategory.WON, StageCategory.OPEN, StageCategory.WON):
        moved = await gql(seller, UPDATE, {"id": deal_id, "input": {"stageId": await stage(category)}})
        assert moved["updateDeal"]["__typename"] == "DealPayload"
    [same] = await documents_of(deal_id)
    assert same.id == estimate.id and same.status == Status.ACCEPTED
    await gql(seller, UPDATE, {"id": deal_id, "input": {"stageId": await stage(StageCategory.LOST)}})
    assert (await Transaction.get(id=estimate.id)).status == Status.ACCEPTED  # an accepted estimate stays


async def test_create_and_update_deal_drive_the_invoice_rule(gql, db):
    await link_books(Automation.INVOICE)
    seller = await f.make_user("Sales")
    account = await f.make_account(seller)
    won = (await gql(seller, CREATE, {"input": {
        "name": "年間保守", "stageId": await stage(StageCategory.WON), "accountId": gid("Account", account.id),
        "lines": [{"description": "保守", "quantity": "12", "unitPrice": "10000", "discount": "20000"}]}}))
    deal_id = won["createDeal"]["deal"]["id"]
    assert Decimal(won["createDeal"]["deal"]["amount"]) == 100000  # 12 x 10,000 - 20,000
    [invoice] = await documents_of(deal_id)
    assert (invoice.kind, invoice.status, invoice.subtotal) == (Kind.INVOICE, Status.DRAFT, 100000)
    await gql(seller, UPDATE, {"id": deal_id, "input": {"stageId": await stage(StageCategory.LOST)}})
    assert (await Transaction.get(id=invoice.id)).status == Status.VOID
    await gql(seller, UPDATE, {"id": deal_id, "input": {"stageId": await stage(StageCategory.WON)}})
    [void, again] = await Transaction.filter(kind=Kind.INVOICE).order_by("id")
    assert void.id == invoice.id and again.status == Status.DRAFT
    assert [t.id for t in await documents_of(deal_id)] == [again.id]


async def test_no_rule_no_document(gql, db):
    await link_books(Automation.NONE)
    seller = await f.make_user("Sales")
    account = await f.make_account(seller)
    await gql(seller, CREATE, {"input": {"name": "x", "stageId": await stage(StageCategory.WON),
                                         "accountId": gid("Account", account.id)}})
    assert not await Transaction.exists()


async def test_set_books_automation(gql, db):
    admin = await f.make_user("Administrator")
    missing = (await gql(admin, SET_RULE, {"rule": "INVOICE"}))["setBooksAutomation"]
    assert missing == {"__typename": "NotFound", "message": "The CRM is not connected to Books."}
    await link_books(Automation.NONE)
    done = (await gql(admin, SET_RULE, {"rule": "INVOICE"}))["setBooksAutomation"]
    assert done == {"__typename": "BooksLinkPayload", "booksLink": {"automation": "INVOICE", "active": True}}
    assert (await BooksLink.get(slot=1)).automation == Automation.INVOICE
    manager = await f.make_user("Manager")
    refused = (await gql(manager, SET_RULE, {"rule": "NONE"}))["setBooksAutomation"]
    assert refused["__typename"] == "PermissionDenied"
    assert (await BooksLink.get(slot=1)).automation == Automation.INVOICE
    bad = await gql.post(admin, SET_RULE, {"rule": "SOMETIMES"})
    assert bad.status_code == 200 and bad.json()["errors"] and (await BooksLink.get(slot=1)).automation == "invoice"
