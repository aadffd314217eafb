"""convertLead and a lead's converted* fields."""

from __future__ import annotations

from app.models import Contact, Lead, RelatedType, Task
from tests import factories as f
from tests.graphql.conftest import gid
from tests.querycount import count_queries

CONVERT = """
mutation($id: ID!, $input: ConvertLeadInput!) {
  convertLead(id: $id, input: $input) {
    __typename
    ... on ConvertLeadPayload { lead { convertedAt } contact { id fullName email } account { id name }
                                deal { id name amount stage { name } } }
    ... on ValidationError { fields { path message } }
    ... on PermissionDenied { message }
    ... on Conflict { message }
    ... on NotFound { message }
  }
}"""

LEADS = """
{ leads(first: 10) { edges { node { lastName convertedAt convertedContact { lastName }
                                     convertedAccount { name } convertedDeal { name } } } } }"""


async def test_convert_lead_returns_what_it_became(gql, db):
    user = await f.make_user("Sales")
    lead = await f.make_lead(user, last_name="高橋", company="高橋製作所", email="t@takahashi.example")
    await f.make_task(user, related_type=RelatedType.LEAD, related_id=lead.id)
    stage = await f.stage()
    data = await gql(user, CONVERT, {"id": gid("Lead", lead.id), "input": {
        "accountName": "高橋製作所",
        "deal": {"name": "高橋 初回", "amount": "30000", "stageId": gid("Stage", stage.id), "closingDate": "2030-02-01"},
    }})
    done = data["convertLead"]
    assert done["__typename"] == "ConvertLeadPayload", done
    assert done["contact"]["fullName"] == "高橋" and done["account"]["name"] == "高橋製作所"
    assert done["deal"]["name"] == "高橋 初回" and done["lead"]["convertedAt"]
    contact = await Contact.get(email="t@takahashi.example")
    assert await Task.filter(related_type=RelatedType.CONTACT, related_id=contact.id).count() == 1

    again = (await gql(user, CONVERT, {"id": gid("Lead", lead.id), "input": {}}))["convertLead"]
    assert again == {"__typename": "Conflict", "message": "This lead has already been converted."}


async def test_typed_errors(gql, db):
    user = await f.make_user("Sales")
    lead = await f.make_lead(user)
    bad = (await gql(user, CONVERT, {"id": gid("Lead", lead.id), "input": {
        "deal": {"name": "", "stageId": gid("Account", 1)}}}))["convertLead"]
    assert bad["__typename"] == "ValidationError"
    assert {e["path"] for e in bad["fields"]} == {"deal.stageId"}
    bad = (await gql(user, CONVERT, {"id": gid("Lead", lead.id), "input": {
        "deal": {"name": "", "amount": "-1", "stageId": gid("Stage", (await f.stage()).id)}}}))["convertLead"]
    assert {e["path"] for e in bad["fields"]} == {"deal.name", "deal.amount"}
    accountant = await f.make_user("Accountant")
    hidden = (await gql(accountant, CONVERT, {"id": gid("Lead", lead.id), "input": {}}))["convertLead"]
    assert hidden["__typename"] in ("NotFound", "PermissionDenied")
    assert (await Lead.get(id=lead.id)).converted_at is None and await Contact.all().count() == 0


async def test_converted_fields_one_query_per_relation_and_visibility(gql, db):
    user = await f.make_user("Sales")
    other = await f.make_user("Sales")
    for n in range(3):
        lead = await f.make_lead(user, last_name=f"見込{n}", company=f"会社{n}")
        await gql(user, CONVERT, {"id": gid("Lead", lead.id), "input": {"accountName": f"会社{n}", "deal": {
            "name": f"案件{n}", "stageId": gid("Stage", (await f.stage()).id)}}})
    await f.make_lead(user, last_name="未変換")
    with count_queries() as counted:
        edges = (await gql(user, LEADS))["leads"]["edges"]
    nodes = {e["node"]["lastName"]: e["node"] for e in edges}
    assert nodes["見込1"]["convertedContact"] == {"lastName": "見込1"}
    assert nodes["見込1"]["convertedAccount"] == {"name": "会社1"}
    assert nodes["見込1"]["convertedDeal"] == {"name": "案件1"}
    assert nodes["未変換"]["convertedContact"] is None and nodes["未変換"]["convertedAt"] is None
    baseline = len(counted)
    lead = await f.make_lead(user, last_name="見込3", company="会社3")
    await gql(user, CONVERT, {"id": gid("Lead", lead.id), "input": {"accountName": "会社3", "deal": {
        "name": "案件3", "stageId": gid("Stage", (await f.stage()).id)}}})
    with count_queries() as counted:
        await gql(user, LEADS)
    assert len(counted) == baseline  # one query per relation, whatever the number of leads

    # The converted records are owned by the converting user: hidden from another one (who may
    # see the lead through a sharing rule).
    from app.models import Access

    await f.share("leads", Access.READ_ONLY, owner=user, grantee=other)
    edges = (await gql(other, LEADS))["leads"]["edges"]
    assert all(e["node"]["convertedContact"] is None for e in edges)


async def test_update_lead_refuses_another_status_once_converted(gql, db):
    user = await f.make_user("Sales")
    lead = await f.make_lead(user)
    await gql(user, CONVERT, {"id": gid("Lead", lead.id), "input": {}})
    done = (await gql(user, """mutation($id: ID!) { updateLead(id: $id, input: {status: NEW}) {
        __typename ... on Conflict { message } } }""", {"id": gid("Lead", lead.id)}))["updateLead"]
    assert done == {"__typename": "Conflict", "message": "This lead has been converted: its status can no longer change."}
