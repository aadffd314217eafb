"""Pickers' search and labels (app.services.pickers): users find only what they may see, namesakes
are told apart, a deal's account's contacts come first, and searches stay bounded."""

from __future__ import annotations

import pytest

from app.permissions import Principal
from app.services import pickers
from tests import factories as f


@pytest.fixture
async def me(db):
    return await f.make_user("Sales", name="Me")


async def test_another_users_private_records_are_not_found(me):
    other = await f.make_user("Sales")
    mine = await f.make_contact(me, last_name="Tanaka", first_name="Ken")
    await f.make_contact(other, last_name="Tanaka", first_name="Yui")
    await f.make_lead(other, last_name="Tanaka", company="Hidden Corp")
    await f.make_deal(other, name="Tanaka renewal")
    found = await pickers.search(await Principal.load(me), "tanaka", pickers.KINDS)
    assert [(p.kind, p.id) for p in found] == [("contact", mine.id)]


async def test_namesakes_are_told_apart_by_account_then_email(me):
    sakura = await f.make_account(me, name="Sakura Trading")
    fuji = await f.make_account(me, name="Fuji Works")
    await f.make_contact(me, last_name="山田", first_name="花子", account=sakura, email="h1@sakura.jp")
    await f.make_contact(me, last_name="山田", first_name="花子", account=sakura, email="h2@sakura.jp")
    await f.make_contact(me, last_name="山田", first_name="花子", account=fuji, email="h@fuji.jp")
    found = await pickers.search(await Principal.load(me), "山田 花子", ["contact"])
    assert sorted(p.label for p in found) == [
        "山田 花子 (Fuji Works)",
        "山田 花子 (Sakura Trading, h1@sakura.jp)",
        "山田 花子 (Sakura Trading, h2@sakura.jp)",
    ]


async def test_deals_show_their_account_and_leads_their_company(me):
    account = await f.make_account(me, name="Sakura Trading")
    await f.make_deal(me, name="Renewal", account=account)
    await f.make_lead(me, last_name="Renewal", first_name="", company="Fuji Works")
    found = await pickers.search(await Principal.load(me), "renewal", ["deal", "lead"])
    assert [p.label for p in found] == ["Renewal (Sakura Trading)", "Renewal (Fuji Works)"]


async def test_an_account_the_user_may_not_see_is_not_named(me):
    other = await f.make_user("Sales")
    hidden = await f.make_account(other, name="Secret Holdings")
    contact = await f.make_contact(me, last_name="Sato", account=hidden)
    labels = await pickers.labels(await Principal.load(me), "contact", [contact.id])
    assert labels[contact.id].label == "Sato Taro"


async def test_a_deals_account_contacts_come_first(me):
    account = await f.make_account(me, name="Sakura Trading")
    elsewhere = [await f.make_contact(me, last_name=f"A{n}") for n in range(3)]
    staff = await f.make_contact(me, last_name="Zeta", account=account)
    first, others = await pickers.contact_choices(await Principal.load(me), account.id)
    assert [p.id for p in first] == [staff.id]
    assert [p.id for p in others] == [c.id for c in elsewhere]
    # At most the limit in all, the account's first.
    first, others = await pickers.contact_choices(await Principal.load(me), account.id, limit=2)
    assert [p.id for p in first] == [staff.id] and len(others) == 1


async def test_results_are_bounded_per_kind(me):
    for n in range(pickers.LIMIT + 5):
        await f.make_contact(me, last_name=f"Suzuki{n:02d}")
    found = await pickers.search(await Principal.load(me), "suzuki", ["contact"], limit=1000)
    assert len(found) == pickers.LIMIT


@pytest.mark.parametrize("query", [
    "", "   ", "%", "_", "\\", "'; DROP TABLE contacts; --", "\x00", "\ud800", "a" * (pickers.QUERY_MAX + 1),
    "x" * 100_000,
])
async def test_hostile_queries_find_nothing_and_never_fail(me, query):
    await f.make_contact(me, last_name="Ito", email="ito@example.jp")
    await f.make_user("Sales", name="Ito Sales", email="ito-sales@example.jp")
    assert await pickers.search(await Principal.load(me), query, pickers.KINDS) == []


async def test_users_are_found_by_name_or_email_and_only_active_ones(me):
    active = await f.make_user("Sales", name="Kato", email="kato@example.jp")
    await f.make_user("Sales", name="Kato", email="kato.left@example.jp", is_active=False)
    found = await pickers.search(await Principal.load(me), "KATO", ["user"])
    assert [(p.id, p.label) for p in found] == [(active.id, "Kato")]


@pytest.mark.parametrize("value,expected", [
    ("contact:12", ("contact", 12)), ("deal:3", ("deal", 3)), ("user:x", None), ("nothing:1", None),
    ("contact:99999999999999999999", None), ("", None), (None, None), ("contact:", None),
])
def test_pick_keys(value, expected):
    assert pickers.parse_key(value) == expected
