"""List pages: sorting by a column header, choosing columns and page size, money totals, saved
views (save, reopen, share, delete) and bulk actions with their confirmation and summary."""

from __future__ import annotations

import re
from decimal import Decimal

from app import settings
from app.models import Access, Deal, SavedView, StageCategory, Task
from tests import factories as f
from tests.querycount import count_queries
from tests.views.conftest import post

ROWS = {"HX-Request": "true", "HX-Target": "rows"}
ROW_RE = re.compile(r'<tr id="row-(\d+)"')


def row_ids(html: str) -> list[int]:
    return [int(i) for i in ROW_RE.findall(html)]


async def test_sorting_by_a_header_orders_the_whole_list_and_toggles(signed_in, client):
    me = await signed_in("Sales")
    small = await f.make_deal(me, name="Small", amount=Decimal(100))
    big = await f.make_deal(me, name="Big", amount=Decimal(9000))
    middle = await f.make_deal(me, name="Middle", amount=Decimal(500))
    page = await client.get("/deals")
    assert 'id="sort-amount" href="/deals?sort=amount"' in page.text
    ascending = await client.get("/deals?sort=amount", headers=ROWS)
    assert row_ids(ascending.text) == [small.id, middle.id, big.id]
    assert 'aria-sort="ascending"' in ascending.text
    # the header now offers the other direction, and the filters' form learns the sort (oob)
    assert 'href="/deals?sort=-amount"' in ascending.text
    assert 'id="list-sort" value="amount" hx-swap-oob="true"' in ascending.text
    descending = await client.get("/deals?sort=-amount", headers=ROWS)
    assert row_ids(descending.text) == [big.id, middle.id, small.id]
    # pagination keeps the sort
    paged = await client.get("/deals?sort=-amount&per_page=2", headers=ROWS)
    assert row_ids(paged.text) == [big.id, middle.id]
    assert 'href="/deals?sort=-amount&amp;per_page=2&amp;page=2"' in paged.text


async def test_equal_values_keep_one_order_across_pages(signed_in, client):
    me = await signed_in("Sales")
    made = [await f.make_deal(me, name="Same", amount=Decimal(100)) for _ in range(5)]
    first = row_ids((await client.get("/deals?sort=amount&per_page=2", headers=ROWS)).text)
    second = row_ids((await client.get("/deals?sort=amount&per_page=2&page=2", headers=ROWS)).text)
    third = row_ids((await client.get("/deals?sort=amount&per_page=2&page=3", headers=ROWS)).text)
    assert first + second + third == [d.id for d in made]
    desc = row_ids((await client.get("/deals?sort=-name&per_page=5", headers=ROWS)).text)
    assert desc == [d.id for d in reversed(made)]


async def test_unknown_or_hostile_sort_keys_are_ignored(signed_in, client):
    me = await signed_in("Sales")
    await f.make_contact(me, last_name="Tanaka")
    for sort in ("password_hash", "-owner__password_hash", "id;drop", "\x00", "-" * 300, "email,phone"):
        response = await client.get("/contacts", params={"sort": sort})
        assert response.status_code == 200, sort
        assert "Tanaka" in response.text
        assert 'aria-sort=' not in response.text


async def test_ref_and_owner_columns_sort_by_the_referenced_name(signed_in, client):
    me = await signed_in("Sales", name="Zed")
    colleague = await f.make_user("Sales", name="Amy")
    await f.share("contacts", Access.READ_ONLY, owner=colleague, grantee=me)
    zeta = await f.make_account(me, name="Zeta")
    alpha = await f.make_account(me, name="Alpha")
    c_zeta = await f.make_contact(me, last_name="A-contact", account=zeta)
    c_alpha = await f.make_contact(colleague, last_name="B-contact", account=alpha)
    by_account = row_ids((await client.get("/contacts?sort=account", headers=ROWS)).text)
    assert by_account == [c_alpha.id, c_zeta.id]
    by_owner = row_ids((await client.get("/contacts?sort=-owner", headers=ROWS)).text)
    assert by_owner == [c_zeta.id, c_alpha.id]
    by_name = row_ids((await client.get("/contacts?sort=-full_name", headers=ROWS)).text)
    assert by_name == [c_alpha.id, c_zeta.id]


async def test_choosing_columns_and_page_size(signed_in, client):
    me = await signed_in("Sales")
    for i in range(3):
        await f.make_deal(me, name=f"Deal {i}", amount=Decimal(100))
    page = await client.get("/deals?cols=amount&cols=owner&cols=bogus&per_page=2")
    head = page.text.split("<thead>")[1].split("</thead>")[0]
    # the record's link stays first; the chosen columns follow in their order; unknown ignored
    assert re.findall(r'id="sort-(\w+)"', head) == ["name", "amount", "owner"]
    assert 'id="col-account"' in page.text and 'id="col-account" checked' not in page.text
    assert 'id="col-amount" checked' in page.text
    assert page.text.count('<tr id="row-') == 2
    assert '<option value="50">' in page.text and '<option value="2" selected>' in page.text
    # the header links keep the columns and the page size
    assert 'href="/deals?sort=amount&amp;cols=amount&amp;cols=owner&amp;per_page=2"' in page.text
    sizes = re.findall(r'<option value="(\d+)"', page.text.split('id="per-page"')[1].split("</select>")[0])
    assert all(int(s) <= settings.MAX_PAGE_SIZE for s in sizes)


async def test_money_totals_cover_the_whole_filtered_list_per_currency(signed_in, client):
    me = await signed_in("Sales")
    other = await f.make_user("Sales")
    for amount in (1000, 2000, 3000):
        await f.make_deal(me, amount=Decimal(amount))
    await f.make_deal(me, amount=Decimal("10.50"), currency="USD")
    await f.make_deal(other, amount=Decimal(99999))  # not visible: never counted
    page = await client.get("/deals?per_page=2&sort=amount", headers=ROWS)
    assert page.text.count('<tr id="row-') == 2
    assert "4 records" in page.text
    jpy = page.text.split('id="totals-JPY"')[1].split("</tr>")[0]
    usd = page.text.split('id="totals-USD"')[1].split("</tr>")[0]
    assert "6,000" in jpy and "99,999" not in jpy
    assert "10.50" in usd
    assert "Total" in jpy
    # without the money column, no totals
    assert "totals-" not in (await client.get("/deals?cols=owner", headers=ROWS)).text


async def test_list_queries_stay_constant_with_sort_totals_and_views(signed_in, client):
    me = await signed_in("Sales")
    account = await f.make_account(me)
    await f.make_deal(me, account=account)
    url = "/deals?sort=-account&cols=account&cols=amount&cols=owner"
    await client.get(url)
    with count_queries() as few:
        assert (await client.get(url)).status_code == 200
    for i in range(8):
        await f.make_deal(me, account=await f.make_account(me), amount=Decimal(i))
        await SavedView.create(user=me, module="deals", name=f"v{i}", state={})
    with count_queries() as many:
        await client.get(url)
    assert len(many) == len(few), many.sql


async def test_save_a_view_and_reopen_it_from_the_menu(signed_in, client):
    me = await signed_in("Sales")
    await f.make_deal(me, name="Won big", amount=Decimal(5))
    state = {"sort": "-amount", "cols": ["amount", "owner"], "per_page": "50", "stage": "won", "q": "big"}
    saved = await post(client, "/deals/views", {**state, "view_name": "Big wins", "view_shared": "on"})
    assert saved.status_code == 303
    view = await SavedView.get(user_id=me.id, module="deals")
    assert view.shared and view.state == {"q": "big", "filters": {"stage": "won"}, "sort": "-amount",
                                          "columns": ["amount", "owner"], "per_page": 50}
    assert saved.headers["location"] == (
        f"/deals?q=big&stage=won&sort=-amount&cols=amount&cols=owner&per_page=50&view={view.id}")
    page = await client.get(saved.headers["location"])
    assert "View “Big wins” saved." in page.text
    assert f'id="view-{view.id}" aria-current="true"' in page.text
    assert '<span id="current-view">Big wins</span>' in page.text
    # from the plain list, the menu leads back to the same state
    plain = await client.get("/deals")
    assert f'href="{saved.headers["location"].replace("&", "&amp;")}" id="view-{view.id}"' in plain.text


async def test_shared_views_are_seen_by_all_but_changed_by_their_creator(signed_in, client):
    owner = await f.make_user("Sales")
    shared = await SavedView.create(user=owner, module="deals", name="Team view", shared=True, state={})
    private = await SavedView.create(user=owner, module="deals", name="Secret view", state={})
    await signed_in("Sales")
    page = await client.get("/deals")
    assert "Team view" in page.text and "Secret view" not in page.text
    assert f'id="delete-view-{shared.id}"' not in page.text
    refused = await post(client, f"/deals/views/{shared.id}/delete")
    assert refused.status_code == 403 and await SavedView.exists(id=shared.id)
    hidden = await post(client, f"/deals/views/{private.id}/delete")
    assert hidden.status_code == 404
    elsewhere = await post(client, f"/contacts/views/{shared.id}/delete")
    assert elsewhere.status_code in (403, 404)
    await signed_in("Administrator")
    assert (await post(client, f"/deals/views/{shared.id}/delete")).status_code == 303
    assert not await SavedView.exists(id=shared.id)


async def test_saving_a_view_without_a_name_says_why(signed_in, client):
    await signed_in("Sales")
    response = await post(client, "/deals/views", {"view_name": "  ", "sort": "-amount"})
    assert response.status_code == 303 and response.headers["location"] == "/deals?sort=-amount"
    page = await client.get(response.headers["location"])
    assert "This field is required." in page.text
    assert not await SavedView.exists()


async def test_bulk_delete_confirms_then_skips_what_may_not_be_deleted(signed_in, client):
    colleague = await f.make_user("Sales")
    me = await signed_in("Manager")
    mine = [await f.make_deal(me, name=f"Mine {i}") for i in range(2)]
    theirs = await f.make_deal(colleague, name="Theirs")
    ids = [d.id for d in (*mine, theirs)]
    confirm = await post(client, "/deals/bulk", {"action": "delete", "ids": ids, "next": "sort=-amount"})
    assert confirm.status_code == 200
    assert "Delete 3 records? This cannot be undone." in confirm.text
    assert confirm.text.count('name="ids"') == 3
    assert not await Deal.filter(id__in=ids).count() == 0  # nothing deleted yet
    done = await post(client, "/deals/bulk/apply", {"action": "delete", "ids": ids, "next": "sort=-amount"})
    assert done.status_code == 303 and done.headers["location"] == "/deals?sort=-amount"
    assert not await Deal.filter(id__in=ids).exists()
    assert "3 records deleted." in (await client.get("/deals")).text


async def test_bulk_owner_change_skips_records_shared_read_only(signed_in, client):
    colleague = await f.make_user("Sales")
    me = await signed_in("Sales")
    await f.share("accounts", Access.READ_ONLY, owner=colleague, grantee=me)
    mine = await f.make_account(me, name="Mine")
    theirs = await f.make_account(colleague, name="Theirs")
    new_owner = await f.make_user("Sales", name="New owner")
    confirm = await post(client, "/accounts/bulk", {"action": "owner", "ids": [mine.id, theirs.id]})
    assert "Hand 2 records over to another owner." in confirm.text
    assert 'name="owner_id"' in confirm.text and "New owner" in confirm.text
    done = await post(client, "/accounts/bulk/apply",
                      {"action": "owner", "ids": [mine.id, theirs.id], "owner_id": new_owner.id})
    assert done.status_code == 303
    await mine.refresh_from_db()
    await theirs.refresh_from_db()
    assert mine.owner_id == new_owner.id and theirs.owner_id == colleague.id
    page = await client.get("/accounts")
    assert "1 record handed over. 1 record was skipped: This record is shared with you read-only." in page.text


async def test_bulk_follow_up_asks_subject_and_date(signed_in, client):
    me = await signed_in("Sales")
    deals = [await f.make_deal(me) for _ in range(2)]
    ids = [d.id for d in deals]
    confirm = await post(client, "/deals/bulk", {"action": "follow_up", "ids": ids})
    assert 'name="subject"' in confirm.text and 'name="due_date"' in confirm.text
    missing = await post(client, "/deals/bulk/apply", {"action": "follow_up", "ids": ids, "subject": "", "due_date": ""})
    assert missing.status_code == 422 and "This field is required." in missing.text
    assert not await Task.exists()
    done = await post(client, "/deals/bulk/apply",
                      {"action": "follow_up", "ids": ids, "subject": "Call back", "due_date": "2030-01-31"})
    assert done.status_code == 303
    tasks = await Task.filter(subject="Call back").order_by("related_id")
    assert [(t.related_type, t.related_id, t.owner_id) for t in tasks] == [("deal", d.id, me.id) for d in deals]
    assert "2 follow-up tasks created." in (await client.get("/deals")).text


async def test_bulk_requests_are_bounded_and_hostile_input_is_a_4xx(signed_in, client):
    me = await signed_in("Sales")
    deal = await f.make_deal(me)
    too_many = list(range(1, settings.MAX_PAGE_SIZE + 2))
    response = await post(client, "/deals/bulk", {"action": "delete", "ids": too_many})
    assert response.status_code == 303
    assert f"Select at most {settings.MAX_PAGE_SIZE} records at a time." in (await client.get("/deals")).text
    for data in ({"action": "delete", "ids": ["x"]}, {"action": "explode", "ids": [deal.id]},
                 {"action": "owner", "ids": [deal.id], "owner_id": "999999"},
                 {"action": "follow_up", "ids": [deal.id], "subject": "x", "due_date": "not a date"},
                 {"action": "delete", "ids": [deal.id, "99999999999999999999"]}):
        applied = await post(client, "/deals/bulk/apply", data)
        assert 400 <= applied.status_code < 500, data
    # Sales may not delete: the action is not offered, and refused when asked for
    assert (await post(client, "/deals/bulk/apply", {"action": "delete", "ids": [deal.id]})).status_code == 422
    assert await Deal.exists(id=deal.id)
    assert 'value="delete"' not in (await client.get("/deals")).text.split('id="bulk-action"')[1].split("</select>")[0]


async def test_books_item_totals_use_the_organization_currency(signed_in, client):
    me = await signed_in("Accountant")
    org = await f.make_org(me)
    await f.make_item(org, rate=Decimal(1200))
    await f.make_item(org, rate=Decimal(300))
    page = await client.get("/books/items?sort=-rate")
    totals = page.text.split('id="totals-all"')[1].split("</tr>")[0]
    assert "1,500" in totals
    assert "owner" not in page.text.split('id="bulk-action"')[1].split("</select>")[0]


async def test_a_default_view_opens_when_the_list_is_asked_for_as_such(signed_in, client):
    me = await signed_in("Sales")
    await f.make_deal(me)
    first = await post(client, "/deals/views", {"view_name": "First", "sort": "amount", "view_default": "on"})
    second = await post(client, "/deals/views", {"view_name": "Second", "sort": "-amount", "view_default": "on"})
    assert first.status_code == second.status_code == 303
    views = {v.name: v for v in await SavedView.filter(user_id=me.id)}
    assert not views["First"].is_default and views["Second"].is_default  # one default per list
    opened = await client.get("/deals")
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/deals?sort=-amount&view={views['Second'].id}"
    standard = await client.get("/deals?view=0")
    assert standard.status_code == 200 and 'aria-sort' not in standard.text
    assert (await client.get("/deals", headers=ROWS)).status_code == 200  # a rows refresh stays
    # a colleague's shared default is not theirs
    await SavedView.filter(id=views["Second"].id).update(shared=True)
    await signed_in("Sales")
    assert (await client.get("/deals")).status_code == 200


async def test_deals_sort_by_stage_in_the_pipelines_order(signed_in, client):
    me = await signed_in("Sales")
    won = await f.make_deal(me, stage=await f.stage(StageCategory.WON))
    first = await f.make_deal(me, stage=await f.stage(StageCategory.OPEN))
    assert row_ids((await client.get("/deals?sort=stage", headers=ROWS)).text) == [first.id, won.id]
