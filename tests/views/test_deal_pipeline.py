"""A deal's stage path and the pipeline board, through the pages: one click moves a deal and the
page says so once; Lost asks why; a read-only share offers nothing and is refused anyway; the board
counts, sums and narrows as the list does, and a drop answers the board again or the reason."""

from __future__ import annotations

from decimal import Decimal

from app.models import Access, Automation, BooksLink, Deal, DealDocument, Kind, StageCategory, Status, Transaction
from tests import factories as f
from tests.views.conftest import HX, post, token

OPEN, WON, LOST = StageCategory.OPEN, StageCategory.WON, StageCategory.LOST


async def test_one_click_won_moves_the_deal_and_flashes_once(signed_in, client):
    me = await signed_in("Sales")
    deal = await f.make_deal(me, name="複合機リース")
    page = await client.get(f"/deals/{deal.id}")
    assert 'id="stage-path"' in page.text and 'id="mark-won"' in page.text and 'id="mark-lost"' in page.text
    won = await f.stage(WON)
    response = await post(client, f"/deals/{deal.id}/stage", {"stage_id": str(won.id)}, htmx=True)
    assert response.status_code == 200 and response.headers["HX-Location"] == f"/deals/{deal.id}"
    assert (await Deal.get(id=deal.id)).stage_id == won.id
    shown = await client.get(f"/deals/{deal.id}")
    assert 'id="flash"' in shown.text and "複合機リース moved to Closed won." in shown.text
    assert 'aria-current="step"' in shown.text and 'id="mark-won"' not in shown.text
    assert 'id="flash"' not in (await client.get(f"/deals/{deal.id}")).text  # once


async def test_lost_asks_for_the_reason_then_shows_it(signed_in, client):
    me = await signed_in("Sales")
    deal = await f.make_deal(me)
    lost = await f.stage(LOST)
    refused = await post(client, f"/deals/{deal.id}/stage", {"stage_id": str(lost.id), "lost_reason": " "}, htmx=True)
    assert refused.status_code == 422
    assert 'id="path-error"' in refused.text and "Say why the deal was lost." in refused.text
    assert "<details class=\"lost-form\" open>" in refused.text
    assert (await Deal.get(id=deal.id)).stage_id != lost.id
    done = await post(client, f"/deals/{deal.id}/stage", {"stage_id": str(lost.id), "lost_reason": "<b>予算</b>"})
    assert done.status_code == 303
    page = await client.get(f"/deals/{deal.id}")
    assert "&lt;b&gt;予算&lt;/b&gt;" in page.text and 'id="lost-reason-shown"' in page.text


async def test_a_read_only_share_offers_no_move_and_is_refused(signed_in, client):
    owner = await f.make_user("Sales")
    me = await signed_in("Sales")
    await f.share("deals", Access.READ_ONLY, owner=owner, grantee=me)
    deal = await f.make_deal(owner)
    page = await client.get(f"/deals/{deal.id}")
    assert 'id="stage-path"' in page.text and 'id="mark-won"' not in page.text
    won = await f.stage(WON)
    refused = await post(client, f"/deals/{deal.id}/stage", {"stage_id": str(won.id)}, htmx=True)
    assert refused.status_code == 422 and 'id="path-error"' in refused.text
    moved = await post(client, "/deals/board/move", {"deal_id": str(deal.id), "stage_id": str(won.id)})
    assert moved.status_code == 403 and moved.text
    assert (await Deal.get(id=deal.id)).stage_id != won.id
    hidden = await f.make_deal(await f.make_user("Sales"))
    assert (await post(client, "/deals/board/move", {"deal_id": str(hidden.id), "stage_id": str(won.id)})).status_code == 404
    bad = await post(client, "/deals/board/move", {"deal_id": "x" * 5000, "stage_id": "zz"})
    assert bad.status_code in (404, 422)


async def test_the_board_counts_sums_filters_and_is_linked_from_the_list(signed_in, client):
    me = await signed_in("Sales")
    other = await f.make_user("Sales")
    account = await f.make_account(me, name="株式会社さくら商事")
    first = await f.stage(OPEN)
    await f.make_deal(me, name="案件A", stage=first, amount=Decimal(200000), account=account)
    await f.make_deal(me, name="案件B", stage=first, amount=Decimal(300000))
    await f.make_deal(me, name="勝ち案件", stage=await f.stage(WON), amount=Decimal(1000))
    await f.make_deal(other, name="他人の案件", stage=first, amount=Decimal(999))
    listing = await client.get("/deals?stage=open")
    assert 'href="/deals/board?stage=open"' in listing.text
    board = await client.get("/deals/board")
    assert board.status_code == 200
    assert f'id="column-{first.id}-count">2<' in board.text and "¥500,000" in board.text
    assert "株式会社さくら商事" in board.text and "他人の案件" not in board.text
    assert "Sortable-1.15.7.min.js" in board.text and "deal_board.js" in board.text
    narrowed = await client.get("/deals/board?stage=open", headers={**HX, "HX-Target": "board"})
    assert narrowed.text.lstrip().startswith('<div class="board"') and "勝ち案件" not in narrowed.text
    searched = await client.get("/deals/board?q=案件B")
    assert "案件B" in searched.text and "案件A" not in searched.text


async def test_a_drop_on_won_fires_the_automation_and_answers_the_board(signed_in, client):
    keeper = await f.make_user("Administrator", email="keeper@example.jp")
    org = await f.make_org(keeper)
    await f.link_books(keeper, org, automation=Automation.INVOICE.value)
    me = await signed_in("Sales")
    account = await f.make_account(me, name="株式会社さくら商事")
    deal = await f.make_deal(me, name="複合機リース", account=account, amount=Decimal(500000))
    won = await f.stage(WON)
    lost = await f.stage(LOST)
    answer = await post(client, "/deals/board/move?stage=", {"deal_id": str(deal.id), "stage_id": str(won.id)})
    assert answer.status_code == 200 and answer.text.lstrip().startswith('<div class="board"')
    assert "複合機リース moved to Closed won." in answer.text
    invoices = await Transaction.filter(id__in=await DealDocument.filter(deal_id=deal.id).values_list("txn_id", flat=True))
    assert [(t.kind, t.status) for t in invoices] == [(Kind.INVOICE, Status.DRAFT)]
    assert await BooksLink.filter(automation=Automation.INVOICE).exists()
    needs = await post(client, "/deals/board/move", {"deal_id": str(deal.id), "stage_id": str(lost.id)})
    assert needs.status_code == 422 and needs.headers["X-Needs-Lost-Reason"] == "1"
    assert needs.text == "Say why the deal was lost."
    await post(client, "/deals/board/move", {"deal_id": str(deal.id), "stage_id": str(lost.id), "lost_reason": "失注"})
    assert (await Transaction.get(id=invoices[0].id)).status == Status.VOID


async def test_moves_need_the_csrf_token(signed_in, client):
    me = await signed_in("Sales")
    deal = await f.make_deal(me)
    await token(client)
    won = await f.stage(WON)
    refused = await client.post("/deals/board/move", data={"deal_id": str(deal.id), "stage_id": str(won.id)})
    assert refused.status_code == 403 and (await Deal.get(id=deal.id)).stage_id != won.id
