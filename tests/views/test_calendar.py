"""The calendar pages: the events and tasks a user may see on their days, in their time zone and
language, narrowed by owner; a day or an hour links to the event form with its start and end; a
drop moves the event through the event service or answers the reason; bad input never fails."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from app.models import Access, Event
from tests import factories as f
from tests.querycount import count_queries
from tests.views.conftest import HX, post

TOKYO = ZoneInfo("Asia/Tokyo")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TOKYO)


async def test_month_shows_my_and_shared_events_and_tasks_on_their_days(signed_in, client):
    me = await signed_in("Sales", timezone="Asia/Tokyo")
    sharer, other = await f.make_user("Sales", name="共有 花子"), await f.make_user("Sales")
    await f.share("events", Access.READ_ONLY, owner=sharer, grantee=me)
    mine = await f.make_event(me, subject="<b>朝会</b>", start_at=at("2026-12-02T09:30"))
    shared = await f.make_event(sharer, subject="共有の予定", start_at=at("2026-12-04T10:00"))
    await f.make_event(other, subject="他人の予定", start_at=at("2026-12-02T10:00"))
    task = await f.make_task(me, subject="見積書を送る", due_date=date(2026, 12, 3))
    await f.make_task(other, subject="他人のタスク", due_date=date(2026, 12, 3))

    page = await client.get("/calendar?view=month&date=2026-12-15")
    assert page.status_code == 200
    text = page.text
    assert 'id="calendar-title">December 2026<' in text
    # Weeks start on Sunday for English (CLDR's US): the grid begins on 29 November.
    assert text.index('id="day-2026-11-29"') < text.index('id="day-2026-11-30"')
    head = text.split("<tbody>")[0]
    assert head.index('<th scope="col">Sun</th>') < head.index('<th scope="col">Mon</th>')
    day2 = text.split('id="day-2026-12-02"')[1].split("</td>")[0]
    assert f'id="event-{mine.id}-2026-12-02"' in day2 and "&lt;b&gt;朝会&lt;/b&gt;" in day2 and "9:30\u202fAM" in day2
    assert f'href="/events/{mine.id}"' in day2
    assert f'id="event-{shared.id}-2026-12-04"' in text
    day3 = text.split('id="day-2026-12-03"')[1].split("</td>")[0]
    assert f'href="/tasks/{task.id}"' in day3 and "見積書を送る" in day3
    assert "他人の予定" not in text and "他人のタスク" not in text
    # A day opens the event form at 9:00 for an hour, on the user's clock.
    assert 'href="/events/new?start_at=2026-12-02T09%3A00&amp;end_at=2026-12-02T10%3A00"' in day2
    assert "Sortable-1.15.7.min.js" in text and "/static/js/calendar.js" in text

    mine_only = await client.get("/calendar?view=month&date=2026-12-15&owner=mine")
    assert "共有の予定" not in mine_only.text and "朝会" in mine_only.text
    theirs = await client.get(f"/calendar?view=month&date=2026-12-15&owner={sharer.id}")
    assert "共有の予定" in theirs.text and "朝会" not in theirs.text
    assert f'<option value="{sharer.id}" selected>共有 花子</option>' in theirs.text


async def test_week_and_day_views_place_events_at_their_hour(signed_in, client):
    me = await signed_in("Sales", timezone="Asia/Tokyo", language="ja")
    event = await f.make_event(me, subject="打合せ", start_at=at("2026-12-02T14:00"), end_at=at("2026-12-02T15:30"))
    fair = await f.make_event(me, subject="展示会", all_day=True, start_at=at("2026-12-03T00:00"), end_at=at("2026-12-04T00:00"))
    week = await client.get("/calendar?view=week&date=2026-12-02")
    assert week.status_code == 200
    slot = week.text.split('id="slot-2026-12-02T14:00"')[1].split("</td>")[0]
    assert f'id="event-{event.id}-2026-12-02"' in slot
    assert 'href="/events/new?start_at=2026-12-02T14%3A00&amp;end_at=2026-12-02T15%3A00"' in slot
    all_day = week.text.split('id="day-2026-12-03"')[1].split("</td>")[0]
    assert f'id="event-{fair.id}-2026-12-03"' in all_day
    # Japanese names of days and months, from babel; weeks from Sunday.
    assert "2026年11月29日" in week.text and "12月2日(水)" in week.text
    day = await client.get("/calendar?view=day&date=2026-12-02")
    assert "2026年12月2日水曜日" in day.text and f'id="event-{event.id}-2026-12-02"' in day.text
    assert "展示会" not in day.text


async def test_bad_parameters_fall_back_to_the_defaults(signed_in, client):
    await signed_in("Sales")
    for query in ("view=year", "date=2026-13-45", "date=" + "9" * 5000, "owner=" + "x" * 300, "owner=-1",
                  "date=0001-01-01&view=week", "date=9998-12-31", "view=day&date=%00", "owner=99999999999999999999"):
        response = await client.get(f"/calendar?{query}")
        assert response.status_code == 200, query
        assert 'id="calendar"' in response.text


async def test_a_drop_moves_the_event_through_the_event_service(signed_in, client):
    me = await signed_in("Sales", timezone="Asia/Tokyo")
    event = await f.make_event(me, subject="打合せ", start_at=at("2026-12-02T09:30"), end_at=at("2026-12-02T11:00"))
    moved = await post(client, "/calendar/move?view=month&date=2026-12-02",
                       {"event_id": str(event.id), "date": "2026-12-09", "from": "2026-12-02"})
    assert moved.status_code == 200
    assert 'id="calendar"' in moved.text and "“打合せ” moved to Dec 9, 2026 9:30\u202fAM." in moved.text
    assert f'id="event-{event.id}-2026-12-09"' in moved.text
    fresh = await Event.get(id=event.id)
    assert (fresh.start_at, fresh.end_at) == (at("2026-12-09T09:30"), at("2026-12-09T11:00"))
    hour = await post(client, "/calendar/move?view=week&date=2026-12-09",
                      {"event_id": str(event.id), "start": "2026-12-10T16:00"})
    assert hour.status_code == 200 and 'id="slot-2026-12-10T16:00"' in hour.text
    fresh = await Event.get(id=event.id)
    assert (fresh.start_at, fresh.end_at) == (at("2026-12-10T16:00"), at("2026-12-10T17:30"))


async def test_a_refused_drop_answers_the_reason(signed_in, client):
    sharer, stranger = await f.make_user("Sales"), await f.make_user("Sales")
    me = await signed_in("Sales", timezone="Asia/Tokyo")
    await f.share("events", Access.READ_ONLY, owner=sharer, grantee=me)
    shared = await f.make_event(sharer, start_at=at("2026-12-02T09:00"))
    hidden = await f.make_event(stranger, start_at=at("2026-12-02T09:00"))
    mine = await f.make_event(me, start_at=at("2026-12-02T09:00"), end_at=at("2026-12-05T09:00"))
    refused = await post(client, "/calendar/move", {"event_id": str(shared.id), "date": "2026-12-09"})
    assert refused.status_code == 403 and refused.text == "This record is shared with you read-only."
    assert (await post(client, "/calendar/move", {"event_id": str(hidden.id), "date": "2026-12-09"})).status_code == 404
    late = await post(client, "/calendar/move", {"event_id": str(mine.id), "date": "9998-12-30"})
    assert late.status_code == 422 and late.text == "Enter a date from 1000-01-01 to 9998-12-31."
    for bad in ({"event_id": str(mine.id), "date": "2026-02-30"}, {"event_id": str(mine.id), "start": "x" * 3000},
                {"event_id": str(mine.id)}, {"event_id": "x" * 5000, "date": "2026-12-09"}):
        response = await post(client, "/calendar/move", bad)
        assert response.status_code in (404, 422), bad
    assert (await Event.get(id=mine.id)).start_at == at("2026-12-02T09:00")
    assert (await Event.get(id=shared.id)).start_at == at("2026-12-02T09:00")
    no_token = await client.post("/calendar/move", data={"event_id": str(mine.id), "date": "2026-12-09"})
    assert no_token.status_code == 403


async def test_linked_from_the_events_list_as_its_other_view(signed_in, client):
    await signed_in("Sales")
    events = await client.get("/events?owner=mine")
    assert 'href="/calendar?owner=mine" id="events-calendar"' in events.text
    page = await client.get("/calendar")
    # The header keeps one entry per module (two rows at 1280 px): Events stays marked here.
    assert '<a href="/events" aria-current="page">Events</a>' in page.text
    assert 'href="/events" id="events-list"' in page.text


async def test_without_the_events_module_there_is_no_calendar(signed_in, client):
    await signed_in("Accountant")
    assert (await client.get("/calendar")).status_code == 403
    assert 'href="/calendar"' not in (await client.get("/")).text


@pytest.mark.parametrize("view", ["month", "week"])
async def test_queries_do_not_grow_with_events(signed_in, client, view):
    me = await signed_in("Sales", timezone="Asia/Tokyo")
    url = f"/calendar?view={view}&date=2026-12-02"
    await f.make_event(me, start_at=at("2026-12-02T09:00"))
    await f.make_task(me, due_date=date(2026, 12, 2))
    await client.get(url)  # what the user may reach is read once, then kept

    async def queries() -> int:
        with count_queries() as log:
            response = await client.get(url, headers=HX)
        assert response.status_code == 200
        return len(log)

    few = await queries()
    for hour in range(10):
        await f.make_event(me, start_at=at(f"2026-12-0{1 + hour % 5}T{8 + hour:02d}:00"))
        await f.make_task(me, due_date=date(2026, 12, 1 + hour))
    assert await queries() == few
    assert few <= 5, "session with the access stamp, events, tasks, owners"
