"""The home page (/): its blocks, loaded by htmx, for an administrator and a Sales user; what
"due today" means on the user's clock; receivables only for users whose grants allow them; and a
constant number of queries per block however much there is."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from app.models import EventType, Stage, StageCategory, TaskStatus
from app.permissions import Principal
from app.services import home, notifications
from tests import factories as f
from tests.querycount import count_queries
from tests.views.test_related import main_of

HX = {"HX-Request": "true"}
BLOCKS = ("deals", "tasks", "events", "mail", "portal", "notifications", "receivables")


async def block(client, key: str):
    response = await client.get(f"/home/{key}", headers=HX)
    assert response.status_code == 200, response.text
    return response.text


async def test_home_page_loads_every_block_lazily_for_an_administrator(signed_in, client):
    me = await signed_in("Administrator")
    await f.make_org(me)
    response = await client.get("/")
    assert response.status_code == 200
    main = main_of(response.text)
    for key in BLOCKS:
        assert f'hx-get="/home/{key}" hx-trigger="load"' in main
    assert 'href="/deals?stage=open&amp;owner=mine"' in main
    assert 'href="/books/receivables"' in main
    assert "<script" not in main  # the CSP allows no inline script


async def test_sales_user_sees_no_receivables_block(signed_in, client):
    me = await signed_in("Sales")
    await f.make_org(me)
    main = main_of((await client.get("/")).text)
    assert 'hx-get="/home/deals"' in main and 'hx-get="/home/portal"' in main
    assert "/home/receivables" not in main and "/books/receivables" not in main
    assert (await client.get("/home/receivables", headers=HX)).status_code == 404


async def test_no_books_membership_no_portal_block(signed_in, client):
    await signed_in("Sales")
    main = main_of((await client.get("/")).text)
    assert "/home/portal" not in main and "/home/receivables" not in main
    assert (await client.get("/home/portal", headers=HX)).status_code == 404
    assert (await client.get("/home/nothing", headers=HX)).status_code == 404


async def test_accounts_list_keeps_its_own_address(signed_in, client):
    me = await signed_in("Sales")
    account = await f.make_account(me, name="株式会社ホーム")
    assert "株式会社ホーム" in (await client.get("/accounts")).text
    assert "株式会社ホーム" not in main_of((await client.get("/")).text)
    assert account  # the brand link goes home
    assert 'class="brand" href="/"' in (await client.get("/accounts")).text


# ---- deals ----------------------------------------------------------------------------------


async def test_deals_block_groups_my_open_deals_by_stage_with_totals(signed_in, client):
    me = await signed_in("Sales", language="ja")
    other = await f.make_user("Sales")
    first, second = await Stage.filter(category=StageCategory.OPEN).order_by("sort_order").limit(2)
    won = await f.stage(StageCategory.WON)
    await f.make_deal(me, stage=first, amount=Decimal(1200000), name="大口案件")
    await f.make_deal(me, stage=first, amount=Decimal(300000))
    await f.make_deal(me, stage=second, amount=Decimal(50000))
    await f.make_deal(me, stage=second, amount=Decimal("99.50"), currency="USD")
    await f.make_deal(me, stage=won, amount=Decimal(777777), name="受注済み案件")  # closed: not open
    await f.make_deal(other, stage=first, amount=Decimal(888888))  # not mine
    text = await block(client, "deals")
    assert 'href="/deals?stage=open&amp;owner=mine"' in text
    assert 'id="home-deals-count">4<' in text
    stage_row = text.split(f'id="home-stage-{first.id}"')[1].split("</tr>")[0]
    assert ">2<" in stage_row and "¥1,500,000" in stage_row
    total = text.split('id="home-deals-total"')[1].split("</td>")[0]
    assert "¥1,550,000" in total and "99.50 USD" in total
    assert "777,777" not in text and "888,888" not in text
    # the list it links to shows the same deals
    listed = (await client.get("/deals?stage=open&owner=mine")).text
    assert "大口案件" in listed and "受注済み案件" not in listed


async def test_deals_block_empty_state(signed_in, client):
    await signed_in("Sales")
    text = await block(client, "deals")
    assert 'id="home-deals-empty"' in text and 'id="home-deals-count">0<' in text


async def test_administrator_sees_only_own_deals_on_home(signed_in, client):
    me = await signed_in("Administrator")
    other = await f.make_user("Sales")
    await f.make_deal(other, amount=Decimal(424242))
    text = await block(client, "deals")
    assert "424,242" not in text and 'id="home-deals-empty"' in text
