"""Related lists are rendered with record pages, can be refreshed, show only what the user may
see, and hold the same records as the GraphQL fields of the same name."""

from __future__ import annotations

import re

import pytest

from app.models import Access, EventAttendee, RelatedType
from schema.types.node import from_global_id
from tests import factories as f
from tests.graphql.conftest import GraphQLClient, gid


def main_of(html: str) -> str:
    """The page's own content, without the header's widgets (bell, organization switcher)."""
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


HX = {"HX-Request": "true"}


async def test_contact_page_renders_its_deals_once_and_refreshes(signed_in, client):
    me = await signed_in("Sales")
    contact = await f.make_contact(me)
    await f.make_deal(me, contacts=[contact], name="First order")
    page = await client.get(f"/contacts/{contact.id}")
    url = f"/contacts/{contact.id}/related/deals"
    assert 'id="related-deals"' in page.text
    assert "First order" in page.text  # rendered with the page, not fetched again
    assert 'hx-trigger="load"' not in main_of(page.text) and "Loading" not in page.text
    assert f'<button type="button" class="small" hx-get="{url}"' in page.text  # the refresh button
    assert "Annual maintenance" not in (await client.get(url, headers=HX)).text
    await f.make_deal(me, contacts=[contact], name="Annual maintenance")
    refreshed = await client.get(url, headers=HX)
    assert "Annual maintenance" in refreshed.text and "<html" not in refreshed.text


async def test_related_lists_hide_records_the_user_may_not_see(signed_in, client):
    other = await f.make_user("Sales")
    me = await signed_in("Sales")
    account = await f.make_account(me)
    contact = await f.make_contact(me, account=account)
    await f.make_contact(other, account=account, last_name="Secretive")
    await f.make_deal(me, account=account, contacts=[contact], name="Visible deal")
    await f.make_deal(other, account=account, contacts=[contact], name="Hidden deal")
    await f.make_task(me, subject="My call", related_type=RelatedType.CONTACT, related_id=contact.id)
    await f.make_task(other, subject="Their call", related_type=RelatedType.CONTACT, related_id=contact.id)

    contacts = (await client.get(f"/accounts/{account.id}/related/contacts", headers=HX)).text
    assert contact.last_name in contacts and "Secretive" not in contacts
    for url in (f"/accounts/{account.id}/related/deals", f"/contacts/{contact.id}/related/deals"):
        deals = (await client.get(url, headers=HX)).text
        assert "Visible deal" in deals and "Hidden deal" not in deals
    tasks = (await client.get(f"/contacts/{contact.id}/related/tasks", headers=HX)).text
    assert "My call" in tasks and "Their call" not in tasks


async def test_deal_contacts_with_roles(signed_in, client):
    other = await f.make_user("Sales")
    me = await signed_in("Sales")
    mine = await f.make_contact(me, last_name="Visible")
    theirs = await f.make_contact(other, last_name="Invisible")
    deal = await f.make_deal(me, contacts=[mine, theirs])
    panel = (await client.get(f"/deals/{deal.id}/related/contacts", headers=HX)).text
    assert "Visible" in panel and "Decision maker" in panel and "Invisible" not in panel


async def test_related_list_of_a_record_out_of_reach_is_not_found(signed_in, client):
    other = await f.make_user("Sales")
    contact = await f.make_contact(other)
    await signed_in("Sales")
    assert (await client.get(f"/contacts/{contact.id}/related/deals", headers=HX)).status_code == 404


async def test_related_module_without_grant_is_not_offered(signed_in, client):
    """Accountants see accounts and deals but not tasks: no task panel, and no way to load it."""
    me = await signed_in("Accountant")
    contact = await f.make_contact(me)
    page = (await client.get(f"/contacts/{contact.id}")).text
    assert 'id="related-deals"' in page and 'id="related-tasks"' not in page
    assert (await client.get(f"/contacts/{contact.id}/related/tasks", headers=HX)).status_code == 404


async def test_read_only_shared_contact_shows_related_deals(signed_in, client):
    owner = await f.make_user("Sales")
    contact = await f.make_contact(owner)
    await f.make_deal(owner, contacts=[contact], name="Shared deal")
    me = await signed_in("Sales")
    await f.share("contacts", Access.READ_ONLY, owner=owner, grantee=me)
    deals = (await client.get(f"/contacts/{contact.id}/related/deals", headers=HX)).text
    assert "Shared deal" not in deals  # the deal itself is not shared with me
    await f.share("deals", Access.READ_ONLY, owner=owner, grantee=me)
    assert "Shared deal" in (await client.get(f"/contacts/{contact.id}/related/deals", headers=HX)).text


# (page path, GraphQL type, the related lists both show: key -> the GraphQL selection)
KINDS = {
    "accounts": ("Account", {"contacts": "contacts { id }", "deals": "deals { id }",
                             "tasks": "tasks { id }", "events": "events { id }"}),
    "contacts": ("Contact", {"deals": "deals { id }", "tasks": "tasks { id }", "events": "events { id }"}),
    "deals": ("Deal", {"contacts": "contacts { contact { id } }", "tasks": "tasks { id }", "events": "events { id }"}),
    "leads": ("Lead", {"tasks": "tasks { id }", "events": "events { id }"}),
    "cases": ("Case", {"tasks": "tasks { id }", "events": "events { id }"}),
}
RTYPE = {"accounts": RelatedType.ACCOUNT, "contacts": RelatedType.CONTACT, "deals": RelatedType.DEAL,
         "leads": RelatedType.LEAD, "cases": RelatedType.CASE}


def _page_ids(html: str, key: str) -> set[int]:
    section = html.split(f'id="related-{key}-list">', 1)[1].split("</div>", 1)[0]
    return {int(i) for i in re.findall(r'href="/\w+/(\d+)"', section)}


def _gql_ids(value) -> set[int]:
    ids = set()
    for item in value:
        node = item.get("contact", item)
        ids.add(from_global_id(node["id"])[1])
    return ids


@pytest.mark.parametrize("module", list(KINDS))
async def test_page_and_graphql_list_the_same_related_records(signed_in, client, asgi_app, module):
    """Visible and hidden related records of every kind; the contact also attends events it is
    not the subject of (the page listed those, GraphQL did not)."""
    other = await f.make_user("Sales")
    me = await signed_in("Sales")
    account = await f.make_account(me)
    contact = await f.make_contact(me, account=account)
    deal = await f.make_deal(me, account=account, contacts=[contact])
    records = {"accounts": account, "contacts": contact, "deals": deal,
               "leads": await f.make_lead(me), "cases": await f.make_case(me)}
    parent = records[module]
    await f.make_contact(me, account=account)
    await f.make_contact(other, account=account)
    await f.make_deal(me, account=account, contacts=[contact, await f.make_contact(me)])
    await f.make_deal(other, account=account, contacts=[contact])
    for owner in (me, other):
        await f.make_task(owner, related_type=RTYPE[module], related_id=parent.id)
        await f.make_event(owner, related_type=RTYPE[module], related_id=parent.id)
    # same id, another kind of record: belongs to none of these lists but its own kind's
    await f.make_task(me, related_type=RelatedType.LEAD if module != "leads" else RelatedType.CASE,
                      related_id=parent.id)
    attended = await f.make_event(me, subject="Attended")
    hidden = await f.make_event(other, subject="Hidden attended")
    both = await f.make_event(me, related_type=RTYPE[module], related_id=parent.id)
    for event in (attended, hidden, both):
        await EventAttendee.create(event=event, contact=contact)

    type_name, fields = KINDS[module]
    page = (await client.get(f"/{module}/{parent.id}")).text
    # the lists come with the page: no second request each (the header's own widgets aside)
    assert 'hx-trigger="load"' not in main_of(page)
    gql = GraphQLClient(client)
    query = f"query($id: ID!) {{ node(id: $id) {{ ... on {type_name} {{ {' '.join(fields.values())} }} }} }}"
    client.cookies.clear()  # GraphQL by token only
    node = (await gql(me, query, {"id": gid(type_name, parent.id)}))["node"]
    for key in fields:
        assert _page_ids(page, key) == _gql_ids(node[key]), key
        assert _page_ids(page, key), f"{key}: the test sets up at least one visible record"
    if module == "contacts":
        events = _gql_ids(node["events"])
        assert attended.id in events and both.id in events and hidden.id not in events
