"""The deals' pipeline board in a real Chromium: a card dragged to the won column moves the deal
through the deal service, so the Books link's automation makes its invoice (seen on the deal's
Books panel); a card dragged to the lost column is put back and asked why, and moves once a reason
is given; a deal shared read-only snaps back with the reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.formatting import format_day
from app.models import Access, Automation, Deal, DealDocument, Kind, StageCategory, Status, Transaction
from tests import factories as f

pytestmark = pytest.mark.browser


async def _drag(page, card: str, column: str) -> None:
    """Press on the card, move in steps (SortableJS's fallback drag follows mouse events), drop."""
    source = await page.locator(card).bounding_box()
    target = await page.locator(f"{column} .board-cards").bounding_box()
    await page.mouse.move(source["x"] + source["width"] / 2, source["y"] + source["height"] / 2)
    await page.mouse.down()
    await page.mouse.move(source["x"] + source["width"] / 2 + 10, source["y"] + source["height"] / 2 + 5, steps=5)
    await page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 20, steps=20)
    await page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 25, steps=5)
    await page.mouse.up()


async def test_drag_a_deal_to_won_and_see_the_automation(live_server, live_db, browser_page):
    page = browser_page
    keeper = await f.make_user("Administrator", email="keeper@example.jp")
    org = await f.make_org(keeper)
    await f.link_books(keeper, org, automation=Automation.INVOICE.value)
    seller = await f.make_user("Sales", email="eigyo@example.jp", name="営業 太郎")
    owner = await f.make_user("Sales")
    await f.share("deals", Access.READ_ONLY, owner=owner, grantee=seller)
    account = await f.make_account(seller, name="株式会社さくら商事")
    deal = await f.make_deal(seller, name="複合機リース", account=account, amount=Decimal(500000))
    other = await f.make_deal(seller, name="保守契約", amount=Decimal(120000))
    shared = await f.make_deal(owner, name="共有案件", amount=Decimal(1000))
    first, won, lost = await f.stage(StageCategory.OPEN), await f.stage(StageCategory.WON), await f.stage(StageCategory.LOST)

    await page.goto(f"{live_server}/deals")
    await page.fill("input[name=email]", "eigyo@example.jp")
    await page.fill("input[name=password]", f.PASSWORD)
    await page.click("form button[type=submit]")
    await page.wait_for_url(f"{live_server}/deals")
    await page.click("#pipeline-board")
    await page.wait_for_url(f"{live_server}/deals/board")
    assert await page.inner_text(f"#column-{first.id}-count") == "3"
    assert await page.locator(f"#card-{deal.id}").inner_text() == "複合機リース\n株式会社さくら商事\n¥500,000\n" + format_day(deal.closing_date, "en")

    await _drag(page, f"#card-{deal.id}", f"#column-{won.id}")
    await page.locator("#board-message", has_text="複合機リース moved to Closed won.").wait_for()
    assert await page.inner_text(f"#column-{won.id}-count") == "1"
    assert await page.inner_text(f"#column-{won.id}-total") == "¥500,000"
    assert await page.locator(f"#column-{won.id} #card-{deal.id}").count() == 1
    assert (await Deal.get(id=deal.id)).stage_id == won.id
    # The automation made its invoice, once, as the edit form's save would have.
    ids = await DealDocument.filter(deal_id=deal.id).values_list("txn_id", flat=True)
    invoices = await Transaction.filter(id__in=ids)
    assert [(t.kind, t.status) for t in invoices] == [(Kind.INVOICE, Status.DRAFT)]
    await page.click(f"#card-{deal.id} a")
    await page.wait_for_url(f"{live_server}/deals/{deal.id}")
    await page.locator("#books").scroll_into_view_if_needed()  # the Books panel loads when seen
    await page.locator(f"#books-invoice-{invoices[0].id}").wait_for()
    assert await page.locator("#stage-path [aria-current=step]").inner_text() == "Closed won"
    # The deal's own stage path: Lost asks why in its small form, an empty reason is refused there.
    await page.click("#mark-lost")
    await page.fill("#lost-reason", " ")
    await page.click("#confirm-lost")
    await page.locator("#path-error", has_text="Say why the deal was lost.").wait_for()
    await page.fill("#lost-reason", "価格")
    await page.click("#confirm-lost")
    await page.locator("#flash", has_text="複合機リース moved to Closed lost.").wait_for()
    assert await page.inner_text("#lost-reason-shown") == "Lost reason: 価格"
    await page.click(f"#stage-{first.id}")  # reopened: back to the first stage, the reason gone
    await page.locator("#flash", has_text="複合機リース moved to Qualification.").wait_for()
    assert await page.locator("#lost-reason-shown").count() == 0
    assert (await Transaction.get(id=invoices[0].id)).status == Status.VOID

    # Lost without a reason: the card goes back and the dialog asks; with one, it moves.
    await page.goto(f"{live_server}/deals/board")
    assert await page.inner_text(f"#column-{first.id}-count") == "3"
    await _drag(page, f"#card-{other.id}", f"#column-{lost.id}")
    await page.locator("#lost-dialog[open]").wait_for()
    assert await page.locator(f"#column-{first.id} #card-{other.id}").count() == 1
    assert await page.inner_text("#board-message") == "Say why the deal was lost."
    await page.fill("#lost-dialog-reason", "他社に決定")
    await page.click("#lost-dialog-save")
    await page.locator("#board-message", has_text="保守契約 moved to Closed lost.").wait_for()
    assert await page.locator(f"#column-{lost.id} #card-{other.id}").count() == 1
    assert (await Deal.get(id=other.id)).lost_reason == "他社に決定"

    # A deal shared read-only: the drop is refused, the card snaps back with the reason.
    await _drag(page, f"#card-{shared.id}", f"#column-{won.id}")
    await page.locator("#board-message.error").wait_for()
    assert await page.inner_text("#board-message") == "This record is shared with you read-only."
    assert await page.locator(f"#column-{first.id} #card-{shared.id}").count() == 1
    assert (await Deal.get(id=shared.id)).stage_id == first.id
