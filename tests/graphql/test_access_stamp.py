"""What a user may reach is read once and kept between requests; any change to it, however it is
written (a service, a bulk update, SQL by hand), shows on the user's very next request."""

from __future__ import annotations

import pytest

from app.models import Access, AccessStamp, Grant, Membership, Role, SharingRule, User
from app.permissions import reaches
from tests import factories as f
from tests.querycount import count_queries

CONTACTS = "{ contacts(first: 100) { edges { node { lastName } } } }"
INVOICES = "{ invoices(first: 100) { edges { node { number } } } }"


async def names(gql, user: User) -> set[str]:
    data = await gql(user, CONTACTS)
    return {e["node"]["lastName"] for e in data["contacts"]["edges"]}


async def stamp() -> str | None:
    row = await AccessStamp.get_or_none(id=1)
    return row.stamp if row else None


@pytest.fixture
async def two_sellers(db):
    """Two Sales users (who see only their own records), one contact each."""
    me, colleague = await f.make_user("Sales"), await f.make_user("Sales")
    await f.make_contact(me, last_name="Mine")
    await f.make_contact(colleague, last_name="Theirs")
    return me, colleague


async def test_the_reach_is_read_once_then_kept(gql, two_sellers):
    me, _ = two_sellers
    assert await names(gql, me) == {"Mine"}
    with count_queries() as first:
        await names(gql, me)
    with count_queries() as second:
        await names(gql, me)
    assert len(first) == len(second)
    assert not any("grants" in sql or "sharing_rules" in sql for sql in second.sql), second.sql


async def test_a_sharing_rule_written_by_hand_shows_next_request(gql, two_sellers):
    me, colleague = two_sellers
    assert await names(gql, me) == {"Mine"}
    rule = await SharingRule.create(module="contacts", access=Access.READ_ONLY, owner_user=colleague,
                                    grantee_user=me)
    assert await names(gql, me) == {"Mine", "Theirs"}
    await SharingRule.filter(id=rule.id).delete()
    assert await names(gql, me) == {"Mine"}


async def test_a_role_seeing_all_records_shows_next_request(gql, two_sellers):
    me, _ = two_sellers
    assert await names(gql, me) == {"Mine"}
    await Role.filter(name="Sales").update(sees_all_records=True)
    assert await names(gql, me) == {"Mine", "Theirs"}


async def test_grants_removed_in_bulk_show_next_request(gql, two_sellers):
    me, _ = two_sellers
    assert await names(gql, me) == {"Mine"}
    await Grant.filter(role__name="Sales", module="contacts").delete()
    assert await names(gql, me) == set()  # a module without the view grant lists nothing


async def test_a_changed_role_shows_next_request(gql, two_sellers):
    me, _ = two_sellers
    assert await names(gql, me) == {"Mine"}
    await User.filter(id=me.id).update(role_id=(await Role.get(name="Administrator")).id)
    assert await names(gql, me) == {"Mine", "Theirs"}


async def test_a_new_member_of_a_shared_role_shows_next_request(gql, two_sellers):
    me, _ = two_sellers
    support = await Role.create(name="Support")
    await SharingRule.create(module="contacts", access=Access.READ_ONLY, owner_role=support, grantee_user=me)
    assert await names(gql, me) == {"Mine"}
    newcomer = await User.create(email="new@example.com", name="New", password_hash="x", role=support)
    await f.make_contact(newcomer, last_name="Newcomer's")
    assert await names(gql, me) == {"Mine", "Newcomer's"}


async def test_a_membership_shows_next_request(gql, db):
    owner, accountant = await f.make_user("Accountant"), await f.make_user("Accountant")
    org = await f.make_org(owner)
    made = await f.make_transaction(await f.principal_for(owner), "invoice", await f.make_customer(org))
    assert (await gql(accountant, INVOICES))["invoices"]["edges"] == []
    await Membership.create(organization=org, user=accountant)
    got = (await gql(accountant, INVOICES))["invoices"]["edges"]
    assert [e["node"]["number"] for e in got] == [made.number]
    await Membership.filter(organization=org, user=accountant).delete()
    assert (await gql(accountant, INVOICES))["invoices"]["edges"] == []


async def test_other_writes_keep_the_stamp(gql, two_sellers):
    me, _ = two_sellers
    await names(gql, me)
    before = await stamp()
    assert before is not None
    await f.make_contact(me)
    await User.filter(id=me.id).update(last_login_at=None, name="Renamed", role_id=me.role_id)
    me.language = "ja"
    await me.save()  # every column written, the role unchanged
    assert await stamp() == before


async def test_without_a_stamp_nothing_is_kept(gql, two_sellers):
    """A database whose stamp row is missing still answers rightly, reading the reach each time."""
    me, colleague = two_sellers
    await AccessStamp.all().delete()
    kept = len(reaches)
    assert await names(gql, me) == {"Mine"}
    await f.share("contacts", Access.READ_ONLY, owner=colleague, grantee=me)
    await AccessStamp.all().delete()  # the trigger stamped the share: take it away again
    assert await names(gql, me) == {"Mine", "Theirs"}
    assert len(reaches) == kept
