"""GraphQL's moveDeal and pipeline: the same move as the deal's page and the board
(app.services.deal_stages), with typed errors; the pipeline's columns of what the user may see."""

from __future__ import annotations

from decimal import Decimal

from app.models import Access, Automation, Deal, DealDocument, Kind, StageCategory, Status, Transaction
from tests import factories as f
from tests.books.test_books_automation import link_books
from tests.graphql.conftest import gid

MOVE = """mutation($id: ID!, $stage: ID!, $reason: String) { moveDeal(id: $id, stageId: $stage, lostReason: $reason) {
  __typename ... on DealPayload { deal { id lostReason stage { name category } } }
  ... on ValidationError { fields { path message } } ... on NotFound { message } ... on PermissionDenied { message } } }"""
PIPELINE = """query($filter: DealFilter, $first: Int) { pipeline(filter: $filter, first: $first) {
  stage { name category } count totals { amount currency } deals { name lostReason account { name } } } }"""


async def stage(category: StageCategory) -> str:
    return gid("Stage", (await f.stage(category)).id)


async def test_move_deal_wins_once_and_loses_with_a_reason(gql, db):
    await link_books(Automation.INVOICE)
    seller = await f.make_user("Sales")
    account = await f.make_account(seller)
    deal = await f.make_deal(seller, account=account, amount=Decimal(500000))
    deal_id = gid("Deal", deal.id)
    for _ in range(2):
        won = (await gql(seller, MOVE, {"id": deal_id, "stage": await stage(StageCategory.WON)}))["moveDeal"]
        assert won["__typename"] == "DealPayload" and won["deal"]["stage"]["category"] == "WON"
    ids = await DealDocument.filter(deal_id=deal.id).values_list("txn_id", flat=True)
    assert [(t.kind, t.status) for t in await Transaction.filter(id__in=ids)] == [(Kind.INVOICE, Status.DRAFT)]
    refused = (await gql(seller, MOVE, {"id": deal_id, "stage": await stage(StageCategory.LOST)}))["moveDeal"]
    assert refused == {"__typename": "ValidationError",
                       "fields": [{"path": "lostReason", "message": "Say why the deal was lost."}]}
    lost = (await gql(seller, MOVE, {"id": deal_id, "stage": await stage(StageCategory.LOST),
                                     "reason": "他社に決定"}))["moveDeal"]
    assert lost["deal"]["lostReason"] == "他社に決定"
    assert (await Transaction.get(id=ids[0])).status == Status.VOID
    reopened = (await gql(seller, MOVE, {"id": deal_id, "stage": await stage(StageCategory.OPEN)}))["moveDeal"]
    assert reopened["deal"]["lostReason"] == ""


async def test_move_deal_typed_errors(gql, db):
    owner = await f.make_user("Sales")
    reader = await f.make_user("Sales")
    await f.share("deals", Access.READ_ONLY, owner=owner, grantee=reader)
    deal = await f.make_deal(owner)
    won = await stage(StageCategory.WON)
    assert (await gql(reader, MOVE, {"id": gid("Deal", deal.id), "stage": won}))["moveDeal"]["__typename"] == "PermissionDenied"
    stranger = await f.make_user("Sales")
    assert (await gql(stranger, MOVE, {"id": gid("Deal", deal.id), "stage": won}))["moveDeal"]["__typename"] == "NotFound"
    assert (await gql(owner, MOVE, {"id": gid("Account", deal.id), "stage": won}))["moveDeal"]["__typename"] == "NotFound"
    bad = (await gql(owner, MOVE, {"id": gid("Deal", deal.id), "stage": gid("Deal", deal.id)}))["moveDeal"]
    assert bad["__typename"] == "ValidationError" and bad["fields"][0]["path"] == "stageId"
    assert (await Deal.get(id=deal.id)).stage_id == (await f.stage(StageCategory.OPEN)).id


async def test_pipeline_columns_of_what_the_user_may_see(gql, db):
    seller = await f.make_user("Sales")
    other = await f.make_user("Sales")
    account = await f.make_account(seller, name="株式会社さくら商事")
    await f.make_deal(seller, name="A", amount=Decimal(200000), account=account)
    await f.make_deal(seller, name="B", amount=Decimal(300000))
    await f.make_deal(seller, name="W", amount=Decimal(1000), stage=await f.stage(StageCategory.WON))
    await f.make_deal(other, name="hidden", amount=Decimal(5))
    columns = (await gql(seller, PIPELINE, {"first": 1}))["pipeline"]
    assert [c["stage"]["category"] for c in columns] == ["OPEN"] * 4 + ["WON", "LOST"]
    assert (columns[0]["count"], columns[0]["totals"]) == (2, [{"amount": "500000.00", "currency": "JPY"}])
    assert len(columns[0]["deals"]) == 1 and columns[4]["count"] == 1
    narrowed = (await gql(seller, PIPELINE, {"filter": {"name": {"eq": "A"}}}))["pipeline"]
    assert narrowed[0]["count"] == 1 and narrowed[0]["deals"][0]["account"] == {"name": "株式会社さくら商事"}
    too_many = await gql.post(seller, PIPELINE, {"first": 201})
    assert too_many.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
