"""List pages: active search answering the rows fragment, filters, pagination, visible counts."""

from __future__ import annotations

from app import settings
from app.models import StageCategory
from tests import factories as f

ROWS = {"HX-Request": "true", "HX-Target": "rows"}


async def test_active_search_returns_only_the_rows_fragment(signed_in, client):
    me = await signed_in("Sales")
    await f.make_contact(me, last_name="Tanaka")
    await f.make_contact(me, last_name="Kobayashi")
    page = await client.get("/contacts")
    assert 'hx-trigger="input changed delay:300ms, search"' in page.text
    assert 'hx-target="#rows"' in page.text
    fragment = await client.get("/contacts?q=tana", headers=ROWS)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "Tanaka" in fragment.text and "Kobayashi" not in fragment.text
    assert "1 record" in fragment.text
    assert "HX-Request" in fragment.headers["vary"]


async def test_htmx_navigation_to_a_list_gets_the_whole_page(signed_in, client):
    """HX-Location and history restores target the body, not #rows: they need the full page."""
    await signed_in("Sales")
    page = await client.get("/contacts", headers={"HX-Request": "true"})
    assert "<html" in page.text and 'id="rows"' in page.text


async def test_counts_and_rows_only_include_what_the_user_may_see(signed_in, client):
    other = await f.make_user("Sales")
    for i in range(3):
        await f.make_account(other, name=f"Hidden {i}")
    me = await signed_in("Sales")
    await f.make_account(me, name="Mine")
    page = await client.get("/accounts")
    assert "1 record" in page.text and "Hidden" not in page.text


async def test_pagination_is_capped_by_the_server(signed_in, client):
    me = await signed_in("Sales")
    for i in range(settings.MAX_PAGE_SIZE + 5):
        await f.make_lead(me, last_name=f"Lead{i:03d}")
    page = await client.get("/leads?per_page=100000")
    assert page.text.count("<tr id=\"row-") == settings.MAX_PAGE_SIZE
    assert f"{settings.MAX_PAGE_SIZE + 5} records" in page.text
    first = await client.get("/leads?per_page=10", headers=ROWS)
    assert first.text.count('<tr id="row-') == 10
    assert "Page 1 of 11" in first.text
    assert 'href="/leads?per_page=10&amp;page=2"' in first.text
    last = await client.get("/leads?per_page=10&page=11", headers=ROWS)
    assert "Lead104" in last.text and "Lead000" not in last.text
    beyond = await client.get("/leads?per_page=10&page=999", headers=ROWS)
    assert "Page 11 of 11" in beyond.text


async def test_deal_stage_category_filter(signed_in, client):
    me = await signed_in("Sales")
    await f.make_deal(me, name="Open deal")
    await f.make_deal(me, name="Won deal", stage=await f.stage(StageCategory.WON))
    await f.make_deal(me, name="Lost deal", stage=await f.stage(StageCategory.LOST))
    won = await client.get("/deals?stage=won", headers=ROWS)
    assert "Won deal" in won.text and "Open deal" not in won.text and "Lost deal" not in won.text
    everything = await client.get("/deals?stage=", headers=ROWS)
    assert "3 records" in everything.text


async def test_status_filters(signed_in, client):
    me = await signed_in("Sales")
    await f.make_lead(me, last_name="Fresh", status="new")
    await f.make_lead(me, last_name="Warm", status="qualified")
    assert "Fresh" not in (await client.get("/leads?status=qualified", headers=ROWS)).text
    await f.make_task(me, subject="Done thing", status="completed")
    await f.make_task(me, subject="Open thing")
    tasks = (await client.get("/tasks?status=completed", headers=ROWS)).text
    assert "Done thing" in tasks and "Open thing" not in tasks
    await f.make_case(me, subject="Closed case", status="closed")
    await f.make_case(me, subject="New case")
    cases = (await client.get("/cases?status=new", headers=ROWS)).text
    assert "New case" in cases and "Closed case" not in cases


async def test_owner_filter_mine_or_all(signed_in, client):
    other = await f.make_user("Sales")
    await f.make_account(other, name="Their account")
    me = await signed_in("Manager")
    await f.make_account(me, name="My account")
    everyone = (await client.get("/accounts", headers=ROWS)).text
    assert "Their account" in everyone and "My account" in everyone
    mine = (await client.get("/accounts?owner=mine", headers=ROWS)).text
    assert "Their account" not in mine and "My account" in mine
