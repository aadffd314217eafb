"""Reading through GraphQL: types, relations, connections, filters, ordering, node()."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app import settings
from app.models import Access, EventAttendee, RelatedType, Stage, StageCategory
from tests import factories as f
from tests.graphql.conftest import gid

PAGE = """query($first: Int, $after: String, $filter: ContactFilter, $orderBy: [ContactOrder!]) {
  contacts(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id lastName } }
  }
}"""


def names(data: dict, key: str = "contacts") -> list[str]:
    return [e["node"]["lastName"] for e in data[key]["edges"]]


async def test_paging_walks_every_record_once_in_order(gql):
    user = await f.make_user("Sales")
    for name in ["Sato", "Abe", "Ito", "Kato", "Abe"]:
        await f.make_contact(user, last_name=name, first_name="")
    seen, after = [], None
    while True:
        data = await gql(user, PAGE, {"first": 2, "after": after})
        page = data["contacts"]
        assert page["totalCount"] == 5
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        seen += names(data)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["Abe", "Abe", "Ito", "Kato", "Sato"]


async def test_page_size_is_capped(gql):
    user = await f.make_user("Sales")
    response = await gql.post(user, PAGE, {"first": settings.MAX_PAGE_SIZE + 1})
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert str(settings.MAX_PAGE_SIZE) in error["message"]
    assert (await gql(user, PAGE, {"first": settings.MAX_PAGE_SIZE}))["contacts"]["totalCount"] == 0


async def test_bad_cursor_is_a_clear_error(gql):
    user = await f.make_user("Sales")
    response = await gql.post(user, PAGE, {"after": "garbage"})
    assert response.json()["errors"][0]["message"] == "Invalid cursor."


async def test_string_filters_and_logic(gql):
    user = await f.make_user("Sales")
    await f.make_contact(user, last_name="Yamada", email="yamada@acme.jp")
    await f.make_contact(user, last_name="Yamamoto", email="y@other.jp")
    await f.make_contact(user, last_name="Tanaka", email="tanaka@ACME.jp")

    async def run(flt):
        return sorted(names(await gql(user, PAGE, {"filter": flt})))

    assert await run({}) == ["Tanaka", "Yamada", "Yamamoto"]
    assert await run({"lastName": {"eq": "Yamada"}}) == ["Yamada"]
    assert await run({"lastName": {"in": ["Yamada", "Tanaka"]}}) == ["Tanaka", "Yamada"]
    assert await run({"email": {"contains": "acme"}}) == ["Tanaka", "Yamada"]  # ignores case
    assert await run({"lastName": {"startsWith": "yama"}}) == ["Yamada", "Yamamoto"]
    assert await run({"or": [{"lastName": {"eq": "Tanaka"}}, {"email": {"startsWith": "y@"}}]}) == [
        "Tanaka", "Yamamoto"]
    assert await run({"and": [{"lastName": {"startsWith": "Yama"}}, {"not": {"lastName": {"eq": "Yamada"}}}]}) == [
        "Yamamoto"]


async def test_relation_id_filter_and_ordering(gql):
    user = await f.make_user("Sales")
    acme = await f.make_account(user, name="Acme")
    await f.make_contact(user, last_name="A", account=acme, birthday=date(1990, 1, 1))
    await f.make_contact(user, last_name="B", account=acme, birthday=date(1980, 1, 1))
    await f.make_contact(user, last_name="C")
    data = await gql(user, PAGE, {
        "filter": {"account": {"eq": gid("Account", acme.id)}},
        "orderBy": [{"field": "BIRTHDAY", "direction": "DESC"}],
    })
    assert names(data) == ["A", "B"]
    assert data["contacts"]["totalCount"] == 2
    # An id of another type matches nothing rather than a record that happens to share its pk.
    data = await gql(user, PAGE, {"filter": {"account": {"eq": gid("Contact", acme.id)}}})
    assert data["contacts"]["totalCount"] == 0
    data = await gql(user, PAGE, {"filter": {"account": {"isNull": True}}})
    assert names(data) == ["C"]


async def test_number_date_and_enum_filters_on_deals(gql):
    user = await f.make_user("Sales")
    won = await Stage.get(category=StageCategory.WON)
    await f.make_deal(user, name="Small", amount=Decimal("1000"), closing_date=date(2026, 1, 10))
    await f.make_deal(user, name="Big", amount=Decimal("5000000"), closing_date=date(2026, 3, 1), stage=won)
    query = """query($filter: DealFilter) { deals(filter: $filter, orderBy: [{field: AMOUNT}]) {
        edges { node { name amount currency stage { name category } } } } }"""

    async def run(flt):
        return [e["node"]["name"] for e in (await gql(user, query, {"filter": flt}))["deals"]["edges"]]

    assert await run({"amount": {"gte": "1000000"}}) == ["Big"]
    assert await run({"amount": {"lt": 5000000, "gt": "999.5"}}) == ["Small"]
    assert await run({"closingDate": {"lte": "2026-01-31"}}) == ["Small"]
    assert await run({"stageCategory": {"eq": "WON"}}) == ["Big"]
    assert await run({"stageCategory": {"in": ["OPEN", "LOST"]}}) == ["Small"]
    assert await run({"stage": {"eq": gid("Stage", won.id)}}) == ["Big"]
    data = await gql(user, query, {"filter": {"name": {"eq": "Big"}}})
    node = data["deals"]["edges"][0]["node"]
    # Money is a decimal string with its currency, never a float.
    assert Decimal(node["amount"]) == Decimal("5000000") and isinstance(node["amount"], str)
    assert node["currency"] == "JPY"
    assert node["stage"] == {"name": won.name, "category": "WON"}


async def test_contact_relations(gql):
    user = await f.make_user("Sales")
    acme = await f.make_account(user, name="Acme")
    contact = await f.make_contact(user, account=acme)
    deal = await f.make_deal(user, name="Big deal", account=acme, contacts=[contact])
    task = await f.make_task(user, subject="Call", related_type=RelatedType.CONTACT, related_id=contact.id)
    event = await f.make_event(user, subject="Visit", related_type=RelatedType.CONTACT, related_id=contact.id)
    data = await gql(user, """query($id: ID!) { contact(id: $id) {
        account { name contacts { id } deals { name } }
        deals { name account { name } contacts { role contact { id } } }
        tasks { subject relatedTo { __typename ... on Contact { id } } }
        events { subject relatedTo { __typename } }
        owner { id name email }
    } }""", {"id": gid("Contact", contact.id)})
    c = data["contact"]
    assert c["account"] == {"name": "Acme", "contacts": [{"id": gid("Contact", contact.id)}],
                            "deals": [{"name": "Big deal"}]}
    assert c["deals"] == [{"name": "Big deal", "account": {"name": "Acme"},
                           "contacts": [{"role": "Decision maker", "contact": {"id": gid("Contact", contact.id)}}]}]
    assert c["tasks"] == [{"subject": "Call", "relatedTo": {"__typename": "Contact", "id": gid("Contact", contact.id)}}]
    assert c["events"] == [{"subject": "Visit", "relatedTo": {"__typename": "Contact"}}]
    assert c["owner"] == {"id": gid("User", user.id), "name": user.name, "email": user.email}
    assert deal.id and task.id and event.id


async def test_relations_never_leak_invisible_records(gql):
    me = await f.make_user("Sales")
    other = await f.make_user("Sales")
    their_account = await f.make_account(other, name="Secret Co")
    mine = await f.make_contact(me, account=their_account)
    their_contact = await f.make_contact(other)
    await f.make_deal(other, name="Secret deal", contacts=[mine])
    my_deal = await f.make_deal(me, name="My deal", contacts=[mine, their_contact])
    await f.make_task(other, subject="Secret task", related_type=RelatedType.CONTACT, related_id=mine.id)
    my_task = await f.make_task(me, subject="Mine", related_type=RelatedType.ACCOUNT, related_id=their_account.id)
    my_case = await f.make_case(me, contact=their_contact)
    event = await f.make_event(me)
    for attendee in ({"contact": their_contact}, {"contact": mine}, {"user": other}, {"email": "x@y.jp"}):
        await EventAttendee.create(event=event, **attendee)

    data = await gql(me, """query($c: ID!, $d: ID!, $t: ID!, $k: ID!, $e: ID!) {
        contact(id: $c) { account { name } deals { name } tasks { subject } }
        deal(id: $d) { contacts { contact { id } } }
        task(id: $t) { relatedTo { __typename } }
        case(id: $k) { contact { id } }
        event(id: $e) { attendees { contact { id } user { id } email } }
    }""", {"c": gid("Contact", mine.id), "d": gid("Deal", my_deal.id), "t": gid("Task", my_task.id),
           "k": gid("Case", my_case.id), "e": gid("Event", event.id)})
    # To-one relations to invisible records are null; lists leave them out.
    assert data["contact"] == {"account": None, "deals": [{"name": "My deal"}], "tasks": []}
    assert data["deal"]["contacts"] == [{"contact": {"id": gid("Contact", mine.id)}}]
    assert data["task"]["relatedTo"] is None
    assert data["case"]["contact"] is None
    assert data["event"]["attendees"] == [
        {"contact": {"id": gid("Contact", mine.id)}, "user": None, "email": None},
        {"contact": None, "user": {"id": gid("User", other.id)}, "email": None},
        {"contact": None, "user": None, "email": "x@y.jp"},
    ]

    # Once shared, the same relations appear.
    await f.share("deals", Access.READ_ONLY, owner=other, grantee=me)
    data = await gql(me, "query($c: ID!) { contact(id: $c) { deals { name } } }", {"c": gid("Contact", mine.id)})
    assert sorted(d["name"] for d in data["contact"]["deals"]) == ["My deal", "Secret deal"]


async def test_node_resolves_any_visible_record_by_global_id(gql):
    me = await f.make_user("Sales")
    other = await f.make_user("Sales")
    lead = await f.make_lead(me, last_name="Suzuki")
    hidden = await f.make_lead(other)
    query = "query($id: ID!) { node(id: $id) { __typename id ... on Lead { lastName status } } }"
    data = await gql(me, query, {"id": gid("Lead", lead.id)})
    assert data["node"] == {"__typename": "Lead", "id": gid("Lead", lead.id), "lastName": "Suzuki", "status": "NEW"}
    assert (await gql(me, query, {"id": gid("Lead", hidden.id)}))["node"] is None
    assert (await gql(me, query, {"id": "not base64!"}))["node"] is None
    assert (await gql(me, query, {"id": gid("Lead", 999999)}))["node"] is None
    # Users as `users` lists them: oneself, and those who share an organization.
    assert (await gql(me, query, {"id": gid("User", other.id)}))["node"] is None
    await f.make_org(me, other)
    data = await gql(me, query, {"id": gid("User", other.id)})
    assert data["node"]["__typename"] == "User"


async def test_simple_lists(gql):
    user = await f.make_user("Sales", name="Aiko")
    data = await gql(user, "{ users { edges { node { name } } } roles { name } stages { name category probability } }")
    assert {"name": "Aiko"} in [e["node"] for e in data["users"]["edges"]]
    assert {r["name"] for r in data["roles"]} >= {"Administrator", "Sales", "Accountant", "Manager"}
    assert data["stages"][0]["name"] == "Qualification"
    assert [s["category"] for s in data["stages"]][-2:] == ["WON", "LOST"]


async def test_decimal_input_must_be_a_finite_number(gql):
    user = await f.make_user("Sales")
    query = "query($flt: DealFilter) { deals(filter: $flt) { totalCount } }"
    for bad in ("NaN", "Infinity", "12,5x", True):
        response = await gql.post(user, query, {"flt": {"amount": {"gt": bad}}})
        assert "Decimal cannot represent" in response.json()["errors"][0]["message"], bad
