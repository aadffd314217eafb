"""The calendar in a real Chromium: a day opens the event form at that day, the saved event is on
the calendar; an event dragged to another day or hour is saved there with its duration; one shared
read-only snaps back with the reason."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from app.models import Access, Event
from tests import factories as f

pytestmark = pytest.mark.browser
TOKYO = ZoneInfo("Asia/Tokyo")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TOKYO)


async def _drag(page, item: str, target: str) -> None:
    """Press on the event, move in steps (SortableJS's fallback drag follows mouse events), drop."""
    source = await page.locator(item).bounding_box()
    goal = await page.locator(target).bounding_box()
    x, y = source["x"] + source["width"] / 2, source["y"] + source["height"] / 2
    await page.mouse.move(x, y)
    await page.mouse.down()
    await page.mouse.move(x + 10, y + 5, steps=5)
    await page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] / 2, steps=20)
    await page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] / 2 + 2, steps=5)
    await page.mouse.up()


async def test_create_an_event_on_the_calendar_and_drag_it(live_server, live_db, browser_page):
    page = browser_page
    me = await f.make_user("Sales", email="eigyo@example.jp", name="営業 太郎", timezone="Asia/Tokyo")
    sharer = await f.make_user("Sales", name="共有 花子")
    await f.share("events", Access.READ_ONLY, owner=sharer, grantee=me)
    shared = await f.make_event(sharer, subject="共有の予定", start_at=at("2027-01-20T10:00"))
    task = await f.make_task(me, subject="見積書を送る", due_date=datetime(2027, 1, 13).date())

    await page.goto(f"{live_server}/events")
    await page.fill("input[name=email]", "eigyo@example.jp")
    await page.fill("input[name=password]", f.PASSWORD)
    await page.click("form button[type=submit]")
    await page.wait_for_url(f"{live_server}/events")
    await page.click("#events-calendar")
    await page.wait_for_url(f"{live_server}/calendar")
    month = f"{live_server}/calendar?view=month&date=2027-01-15"
    await page.goto(month)
    assert await page.inner_text("#calendar-title") == "January 2027"
    assert await page.locator(f"#day-2027-01-13 #task-{task.id}").inner_text() == "見積書を送る"

    # Click a day's free space: the event form opens at that day, 9:00 to 10:00.
    await page.click("#day-2027-01-12 .cal-drop")
    await page.wait_for_url(f"{live_server}/events/new?*")
    assert await page.input_value("#start_at") == "2027-01-12T09:00"
    assert await page.input_value("#end_at") == "2027-01-12T10:00"
    await page.fill("#subject", "新年の挨拶")
    await page.fill("#end_at", "2027-01-12T10:30")
    await page.click("#save")
    await page.locator("#flash").wait_for()
    event = await Event.get(subject="新年の挨拶")
    assert (event.start_at, event.end_at, event.owner_id) == (at("2027-01-12T09:00"), at("2027-01-12T10:30"), me.id)
    await page.goto(month)
    card = f"#event-{event.id}-2027-01-12"
    assert await page.locator(card).inner_text() == "9:00\u202fAM 新年の挨拶"

    # Drag it to the 14th: saved there, same times.
    await _drag(page, card, "#day-2027-01-14 .cal-drop")
    await page.locator("#calendar-message", has_text="“新年の挨拶” moved to Jan 14, 2027 9:00\u202fAM.").wait_for()
    assert await page.locator(f"#day-2027-01-14 #event-{event.id}-2027-01-14").count() == 1
    assert await page.locator(card).count() == 0
    event = await Event.get(id=event.id)
    assert (event.start_at, event.end_at) == (at("2027-01-14T09:00"), at("2027-01-14T10:30"))

    # A read-only share: the drop is refused, the event goes back with the reason.
    await _drag(page, f"#event-{shared.id}-2027-01-20", "#day-2027-01-21 .cal-drop")
    await page.locator("#calendar-message.error").wait_for()
    assert await page.inner_text("#calendar-message") == "This record is shared with you read-only."
    assert await page.locator(f"#day-2027-01-20 #event-{shared.id}-2027-01-20").count() == 1
    assert (await Event.get(id=shared.id)).start_at == at("2027-01-20T10:00")

    # The week: dragged to 15:00 on the 15th, it keeps its hour and a half.
    await page.click("#view-week")
    await page.wait_for_url(f"{live_server}/calendar?view=week&date=2027-01-15")
    await _drag(page, f"#event-{event.id}-2027-01-14", "#slot-2027-01-15T15\\:00 .cal-drop")
    await page.locator("#calendar-message", has_text="moved to Jan 15, 2027 3:00\u202fPM.").wait_for()
    assert await page.locator(f"#slot-2027-01-15T15\\:00 #event-{event.id}-2027-01-15").count() == 1
    event = await Event.get(id=event.id)
    assert (event.start_at, event.end_at) == (at("2027-01-15T15:00"), at("2027-01-15T16:30"))
