"""Statements built once and bound anew (`app.statements`): pages and look-ups answer exactly as
freshly built queries would, whatever the page size, cursor, ordering, keys or user."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app import settings
from app.models import Contact, Task
from app.statements import MOST_KEYS, Statements, StatementDrift
from tests import factories as f

PAGE = """query($first: Int, $after: String, $order: [ContactOrder!]) {
  contacts(first: $first, after: $after, orderBy: $order) {
    edges { node { lastName firstName } } pageInfo { hasNextPage endCursor } } }"""


async def every_page(gql, user, first: int, order=None) -> list[str]:
    names, after = [], None
    while True:
        data = (await gql(user, PAGE, {"first": first, "after": after, "order": order}))["contacts"]
        names += [e["node"]["lastName"] for e in data["edges"]]
        assert len(data["edges"]) <= first
        if not data["pageInfo"]["hasNextPage"]:
            return names
        after = data["pageInfo"]["endCursor"]


async def test_pages_of_any_size_and_order_cover_the_list_once(gql, db):
    me = await f.make_user("Sales")
    for n in range(7):
        await f.make_contact(me, last_name=f"Name{n}", first_name=f"F{6 - n}")
    ascending = [f"Name{n}" for n in range(7)]
    for first in (1, 2, 3, 7, 50):  # one statement per ordering, bound with each LIMIT and OFFSET
        assert await every_page(gql, me, first) == ascending
        assert await every_page(gql, me, first, [{"field": "LAST_NAME", "direction": "DESC"}]) == ascending[::-1]
        assert await every_page(gql, me, first, [{"field": "FIRST_NAME"}]) == ascending[::-1]
    empty = await gql(me, PAGE, {"first": 0})
    assert empty["contacts"]["edges"] == [] and empty["contacts"]["pageInfo"]["hasNextPage"]


async def test_a_kept_page_statement_is_never_another_users(gql, db):
    me, colleague = await f.make_user("Sales"), await f.make_user("Sales")
    boss = await f.make_user("Administrator")
    await f.make_contact(me, last_name="Mine")
    await f.make_contact(colleague, last_name="Theirs")
    for _ in range(2):  # the second round runs on kept statements
        assert await every_page(gql, me, 5) == ["Mine"]
        assert await every_page(gql, colleague, 5) == ["Theirs"]
        assert await every_page(gql, boss, 5) == ["Mine", "Theirs"]


def by_ids(keys):
    return Contact.filter(id__in=keys).order_by("id").values_list("id", "last_name")


async def test_keys_of_any_count_find_what_a_fresh_query_finds(db):
    me = await f.make_user("Sales")
    ids = [(await f.make_contact(me, last_name=f"N{n}")).id for n in range(6)]
    statements = Statements()
    for keys in (ids[:1], ids[:3], ids[:5], ids, ids[2:3] + [-5, 10**9], ids[::-1]):  # padded to 1, 4, 8, ...
        assert await statements.rows(Contact, "by id", by_ids, keys) == list(await by_ids(keys))
    assert await statements.rows(Contact, "by id", by_ids, []) == []
    many = ids + list(range(10**6, 10**6 + MOST_KEYS))  # too many to keep: a plain query
    assert await statements.rows(Contact, "by id", by_ids, many) == list(await by_ids(ids))
    assert len(statements) == 3  # 1, 4 and 8 keys; none kept for `many`


async def test_a_query_whose_keys_do_not_bind_runs_plain_every_time(db):
    me = await f.make_user("Sales")
    first = await f.make_contact(me, last_name="First")
    await f.make_contact(me, last_name="Second")
    statements = Statements()

    def ignores_keys(keys):  # its SQL cannot be reused with other keys
        return Contact.filter(last_name="Second" if keys else "First").values_list("last_name")

    for _ in range(2):
        assert await statements.rows(Contact, "odd", ignores_keys, [first.id]) == [("Second",)]
    assert await statements.rows(Contact, "odd", ignores_keys, None) == [("First",)]


async def test_the_least_recently_used_statements_go_first(db):
    statements = Statements(size=2)
    for shape in ("a", "b", "a", "c"):
        await statements.rows(Contact, shape, by_ids, [1])
    assert len(statements) == 2
    kept = {shape for ((shape, _), _) in statements._kept}
    assert kept == {"a", "c"}


async def test_verify_mode_catches_a_filter_that_depends_on_the_time(db, monkeypatch):
    """A shape that leaves out a value its query depends on (here: now) would freeze the first
    request's value for every later one; verify mode (on in the suite) fails on the next use."""
    assert settings.VERIFY_KEPT_STATEMENTS  # tests/conftest.py turns it on for the whole suite
    me = await f.make_user("Sales")
    task = await f.make_task(me)
    statements = Statements()
    clock = iter(datetime(2026, 11, 1, tzinfo=timezone.utc) + timedelta(minutes=n) for n in range(10))

    def due_soon(ids):  # depends on the time, which its shape ("due soon") does not name
        return Task.filter(id__in=ids, created_at__lte=next(clock) + timedelta(days=9999)).values_list("id")

    assert await statements.rows(Task, "due soon", due_soon, [task.id]) == [(task.id,)]
    with pytest.raises(StatementDrift):
        await statements.rows(Task, "due soon", due_soon, [task.id])
    monkeypatch.setattr(settings, "VERIFY_KEPT_STATEMENTS", False)
    assert await statements.rows(Task, "due soon", due_soon, [task.id]) == [(task.id,)]  # frozen, unnoticed

    def steady(ids):
        return Task.filter(id__in=ids, owner_id=me.id).values_list("id")

    monkeypatch.setattr(settings, "VERIFY_KEPT_STATEMENTS", True)
    for _ in range(3):  # a shape that names everything passes every time
        assert await statements.rows(Task, "mine", steady, [task.id]) == [(task.id,)]



async def test_a_kept_record_look_up_finds_each_record_with_its_owner(db):
    from app.errors import NotFound
    from app.services.accounts import AccountService

    me, boss = await f.make_user("Sales"), await f.make_user("Administrator")
    mine, theirs = await f.make_account(me, name="Mine"), await f.make_account(boss, name="Theirs")
    service, principal = AccountService(), await f.principal_for(boss)
    for _ in range(2):  # the second round runs on the kept statements
        for record, owner in ((mine, me), (theirs, boss)):
            found = await service.get(principal, record.id, related=("owner",))
            assert (found.id, found.name, found.owner.name) == (record.id, record.name, owner.name)
            assert (await service.get(principal, str(record.id))).name == record.name
        with pytest.raises(NotFound):
            await service.get(principal, mine.id + theirs.id + 1000)
