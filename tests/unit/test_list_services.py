"""The rules behind the list pages: sort fields per column, list state read leniently and
checked strictly, saved views (who sees, who changes, limits) and bulk actions through each
record's service (what the user may not change is skipped and counted)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app import settings
from app.errors import NotFound, PermissionDenied, ValidationError
from app.models import Access, Account, Contact, Deal, SavedView, Task
from app.services import bulk, saved_views
from app.services.accounts import accounts
from app.services.contacts import contacts
from app.services.deals import deals
from app.services.items import items
from tests import factories as f
from views.cases import pages as case_pages
from views.contacts import pages as contact_pages
from views.deals import pages as deal_pages
from views.record_lists import Column, sort_fields


def test_sort_fields_per_column_kind(db):
    by_key = {c.key: c for c in deal_pages.columns}
    assert sort_fields(Deal, by_key["amount"]) == ("amount",)
    assert sort_fields(Deal, by_key["account"]) == ("account__name_kana", "account__name")  # a ref: its name, by reading
    assert sort_fields(Deal, by_key["owner"]) == ("owner__name",)
    assert sort_fields(Contact, next(c for c in contact_pages.columns if c.key == "full_name")) == (
        "last_name_kana", "first_name_kana", "last_name", "first_name")  # a computed name: by reading
    contact_col = next(c for c in case_pages.columns if c.key == "contact")
    assert sort_fields(case_pages.model, contact_col) == (
        "contact__last_name_kana", "contact__first_name_kana", "contact__last_name", "contact__first_name")
    # a column's own order fields win (another helper sorts names by reading through this)
    assert sort_fields(Contact, Column("Name", "full_name", "link", sort=("last_name_kana",))) == ("last_name_kana",)
    assert sort_fields(Contact, Column("Score", "score", sort=())) == ()
    assert sort_fields(Contact, Column("Computed", "nothing_stored")) == ()


def test_list_state_is_read_leniently():
    spec = deal_pages.spec
    state = saved_views.read_state(spec, {"sort": ["-password_hash"], "cols": ["amount", "x", "amount"],
                                          "stage": ["won"], "owner": ["everything"], "per_page": ["100000"],
                                          "q": ["a\x00b"]})
    assert state.sort == "" and state.columns == ("amount",) and state.filters == {"stage": "won"}
    assert state.per_page == settings.MAX_PAGE_SIZE and state.q == "ab"
    every = saved_views.read_state(spec, {"cols": list(spec.columns)})
    assert every.columns == ()  # the default: kept out of URLs


def test_list_state_is_checked_strictly():
    spec = deal_pages.spec
    with pytest.raises(ValidationError) as caught:
        saved_views.check_state(spec, {"sort": "nope", "columns": ["amount", 3], "per_page": 0,
                                       "filters": {"stage": "lost-ish"}, "extra": 1})
    assert {e.field for e in caught.value.errors} == {
        "state.sort", "state.columns.1", "state.per_page", "state.filters.stage", "state.extra"}
    ok = saved_views.check_state(spec, {"sort": "-amount", "columns": ["owner"], "per_page": 50})
    assert ok.params() == [("sort", "-amount"), ("cols", "owner"), ("per_page", "50")]


async def test_saved_view_rules(db):
    me = await f.make_user("Sales")
    p = await f.principal_for(me)
    view = await saved_views.save_view(p, "deals", "  Mine  ", {"sort": "-amount"})
    assert view.name == "Mine" and not view.shared
    again = await saved_views.save_view(p, "deals", "Mine", {"sort": "amount"}, shared=True)
    assert again.id == view.id and again.state["sort"] == "amount"  # same name: replaced
    for name in ("", "x" * (saved_views.NAME_MAX + 1), "a\x00b", 12):
        with pytest.raises(ValidationError):
            await saved_views.save_view(p, "deals", name, {})
    with pytest.raises(ValidationError):
        await saved_views.save_view(p, "no-such-list", "x", {})
    accountant = await f.principal_for(await f.make_user("Accountant"))
    with pytest.raises(PermissionDenied):
        await saved_views.save_view(accountant, "leads", "x", {})  # may not view leads
    assert await saved_views.views_for(accountant, "leads") == []


async def test_only_ones_own_view_is_a_default(db):
    creator = await f.principal_for(await f.make_user("Sales"))
    other = await f.principal_for(await f.make_user("Manager"))
    shared = await saved_views.save_view(creator, "deals", "Team", {}, shared=True, is_default=True)
    assert shared.is_default
    assert saved_views.default_of(creator, await saved_views.views_for(creator, "deals")) == shared
    assert saved_views.default_of(other, await saved_views.views_for(other, "deals")) is None
    admin = await f.principal_for(await f.make_user("Administrator"))
    changed = await saved_views.save_view(admin, "deals", "Team", {}, shared=True, view_id=shared.id, is_default=True)
    assert changed.is_default  # the creator's choice: an administrator's edit keeps it
    assert saved_views.default_of(admin, await saved_views.views_for(admin, "deals")) is None


async def test_views_per_user_are_bounded(db, monkeypatch):
    monkeypatch.setattr(saved_views, "MAX_VIEWS_PER_USER", 2)
    p = await f.principal_for(await f.make_user("Sales"))
    await saved_views.save_view(p, "deals", "a", {})
    await saved_views.save_view(p, "deals", "b", {})
    with pytest.raises(ValidationError) as caught:
        await saved_views.save_view(p, "deals", "c", {})
    assert caught.value.errors[0].field == "name"
    await saved_views.save_view(p, "deals", "b", {"sort": "amount"})  # replacing one still works
    await saved_views.save_view(p, "contacts", "c", {})  # per list


async def test_shared_views_seen_by_all_changed_by_creator_or_admin(db):
    creator = await f.principal_for(await f.make_user("Sales"))
    other = await f.principal_for(await f.make_user("Sales"))
    admin = await f.principal_for(await f.make_user("Administrator"))
    shared = await saved_views.save_view(creator, "deals", "Team", {}, shared=True)
    private = await saved_views.save_view(creator, "deals", "Private", {})
    assert [v.name for v in await saved_views.views_for(other, "deals")] == ["Team"]
    assert [v.name for v in await saved_views.views_for(creator, "deals")] == ["Private", "Team"]
    with pytest.raises(PermissionDenied):
        await saved_views.save_view(other, "deals", "Taken", {}, view_id=shared.id)
    with pytest.raises(PermissionDenied):
        await saved_views.delete_view(other, shared.id)
    with pytest.raises(NotFound):
        await saved_views.delete_view(other, private.id)
    await saved_views.save_view(admin, "deals", "Team (renamed)", {}, shared=True, view_id=shared.id)
    await saved_views.delete_view(admin, shared.id)
    assert await SavedView.filter().count() == 1


async def test_a_view_keeps_only_what_the_list_still_knows(db):
    me = await f.make_user("Sales")
    view = await SavedView.create(user=me, module="deals", name="Old", state={
        "sort": "-gone", "columns": ["gone", "amount"], "filters": {"stage": "won", "gone": "x"}, "per_page": 50})
    state = saved_views.state_of(view)
    assert state.sort == "" and state.columns == ("amount",) and state.filters == {"stage": "won"}


async def test_totals_sum_the_whole_filtered_list_in_one_query(db):
    from tests.querycount import count_queries

    me = await f.make_user("Sales")
    p = await f.principal_for(me)
    for amount, currency in ((100, "JPY"), (250, "JPY"), (None, "JPY"), (Decimal("1.25"), "USD")):
        await f.make_deal(me, amount=amount, currency=currency)
    await f.make_deal(await f.make_user("Sales"), amount=Decimal(10**6))  # another's, unseen
    money = [c for c in deal_pages.columns if c.kind == "money"]
    with count_queries() as queries:
        count, lines = await deal_pages.totals(deals.query(p), money)
    assert len(queries) == 1
    assert count == 4
    assert lines == [{"currency": "JPY", "amount": Decimal(350)}, {"currency": "USD", "amount": Decimal("1.25")}]
    assert await deal_pages.totals(deals.query(p).filter(name="nothing"), money) == (0, [])


async def test_bulk_skips_records_the_user_may_not_change(db):
    colleague = await f.make_user("Sales")
    me = await f.make_user("Sales")
    await f.share("accounts", Access.READ_ONLY, owner=colleague, grantee=me)
    p = await f.principal_for(me)
    mine = await f.make_account(me)
    read_only = await f.make_account(colleague)
    hidden = await f.make_account(await f.make_user("Sales"))
    target = await f.make_user("Sales")
    result = await bulk.change_owner(p, accounts, [mine.id, read_only.id, hidden.id], target.id)
    assert result.done == 1
    assert [(pk, type(exc)) for pk, exc in result.skipped] == [(read_only.id, PermissionDenied), (hidden.id, NotFound)]
    assert {a.id: a.owner_id for a in await Account.all()} == {
        mine.id: target.id, read_only.id: colleague.id, hidden.id: hidden.owner_id}


async def test_bulk_delete_and_follow_up_go_through_the_services(db):
    manager = await f.make_user("Manager")
    p = await f.principal_for(manager)
    contact = await f.make_contact(manager)
    gone = await f.make_contact(manager)
    result = await bulk.follow_up(p, contacts, [contact.id, gone.id], "Call", "2030-02-01")
    assert result.done == 2
    assert await Task.filter(related_type="contact", related_id=contact.id, subject="Call").exists()
    deleted = await bulk.delete(p, contacts, [gone.id])
    assert deleted.done == 1 and not await Contact.exists(id=gone.id)
    # Sales has no delete grant: refused as a whole, nothing deleted
    sales = await f.principal_for(await f.make_user("Sales"))
    with pytest.raises(PermissionDenied):
        await bulk.delete(sales, contacts, [contact.id])


async def test_bulk_input_is_checked_before_any_record(db):
    p = await f.principal_for(await f.make_user("Manager"))
    deal = await f.make_deal(p.user)
    for ids in ([], ["x"], [True], list(range(1, settings.MAX_PAGE_SIZE + 2))):
        with pytest.raises(ValidationError):
            await bulk.delete(p, deals, ids)
    with pytest.raises(ValidationError):
        await bulk.change_owner(p, deals, [deal.id], 999999)
    for subject, due in (("", "2030-01-01"), ("Call", ""), ("Call", "2030-13-01"), ("x" * 10_000, "2030-01-01")):
        with pytest.raises(ValidationError):
            await bulk.follow_up(p, deals, [deal.id], subject, due)
    assert not await Task.exists() and await Deal.exists(id=deal.id)
    with pytest.raises(PermissionDenied):
        await bulk.change_owner(p, items, [1], p.user.id)  # Books records have no owner
    assert bulk.actions_of(p, items) == ("delete",)  # Books items: no owner, no follow-up
