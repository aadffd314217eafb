"""The calendar's rules (app.services.calendar): which days a view shows, which events and tasks fall
on each of them on the user's clock (only those the user may see), and moving an event, which
keeps its duration and is refused as the event's edit form would refuse it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.errors import NotFound, PermissionDenied, ValidationError
from app.models import Access, Event, TaskStatus
from app.permissions import Principal
from app.services import calendar
from tests import factories as f

TOKYO = ZoneInfo("Asia/Tokyo")
SUNDAY, MONDAY = 6, 0


def at(text: str, zone: ZoneInfo = TOKYO) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def shown(cal: calendar.Calendar) -> dict[str, list[str]]:
    """Subjects by day (ISO), only days with something."""
    return {d.day.isoformat(): [e.event.subject for e in d.entries] for d in cal.days if d.entries}


@pytest.fixture
async def me(db):
    return await f.make_user("Sales", timezone="Asia/Tokyo")


# ---- which days ---------------------------------------------------------------------------------


def test_weeks_start_as_the_users_locale_starts_them():
    assert calendar.first_weekday("ja") == SUNDAY and calendar.first_weekday("en") == SUNDAY
    assert calendar.first_weekday("fr") == MONDAY and calendar.first_weekday("en_GB") == MONDAY
    assert calendar.first_weekday("no such locale") == MONDAY


def test_month_week_and_day_ranges():
    month = calendar.date_range("month", date(2026, 12, 16), SUNDAY)  # 1 December 2026 is a Tuesday
    assert (month.first, month.last) == (date(2026, 11, 29), date(2027, 1, 2))
    assert len(month.weeks) == 5 and all(len(w) == 7 for w in month.weeks)
    assert (month.previous, month.next) == (date(2026, 11, 16), date(2027, 1, 16))
    assert calendar.date_range("month", date(2027, 1, 31), SUNDAY).previous == date(2026, 12, 31)
    assert calendar.date_range("month", date(2027, 1, 31), SUNDAY).next == date(2027, 2, 28)
    week = calendar.date_range("week", date(2026, 12, 2), SUNDAY)
    assert (week.first, week.last, week.next) == (date(2026, 11, 29), date(2026, 12, 5), date(2026, 12, 9))
    monday = calendar.date_range("week", date(2026, 12, 2), MONDAY)
    assert (monday.first, monday.last) == (date(2026, 11, 30), date(2026, 12, 6))
    day = calendar.date_range("day", date(2026, 12, 2), SUNDAY)
    assert day.days == [date(2026, 12, 2)] and day.previous == date(2026, 12, 1)
    assert day.bounds(TOKYO) == (at("2026-12-02T00:00"), at("2026-12-03T00:00"))


def test_bad_views_and_days_are_read_as_the_defaults():
    today = date(2026, 11, 30)
    assert calendar.parse_view("year") == "month" and calendar.parse_view(None) == "month"
    for bad in ("2026-13-01", "yesterday", "9999-12-31", "x" * 5000, "0001-01-01"):
        assert calendar.parse_day(bad, today) == today
    # The calendar's edges: a month around them stays inside what dates can hold.
    edge = calendar.parse_day("9998-12-31", today)
    rng = calendar.date_range("month", edge, SUNDAY)
    assert rng.last <= date(9998, 12, 31) and rng.next == edge
    low = calendar.date_range("month", calendar.parse_day("1000-01-01", today), SUNDAY)
    assert low.first >= date(1000, 1, 1) and low.previous == low.anchor


# ---- what falls on each day -----------------------------------------------------------------


async def test_only_visible_events_of_the_range_on_the_users_days(me):
    other = await f.make_user("Sales")
    sharer = await f.make_user("Sales")
    await f.share("events", Access.READ_ONLY, owner=sharer, grantee=me)
    await f.make_event(me, subject="朝会", start_at=at("2026-12-02T09:00"))
    # 00:30 on 3 December in Tokyo, still the 2nd in UTC: shown on the user's day.
    await f.make_event(me, subject="深夜", start_at=datetime(2026, 12, 2, 15, 30, tzinfo=UTC))
    await f.make_event(other, subject="他人の予定", start_at=at("2026-12-02T10:00"))
    await f.make_event(sharer, subject="共有の予定", start_at=at("2026-12-04T10:00"))
    await f.make_event(me, subject="来月", start_at=at("2027-01-10T10:00"))
    # Ends exactly when the week begins: not in it.
    await f.make_event(me, subject="前日", start_at=at("2026-11-28T23:00"), end_at=at("2026-11-29T00:00"))
    principal = await Principal.load(me)
    week = calendar.date_range("week", date(2026, 12, 2), SUNDAY)
    cal = await calendar.load(principal, week, TOKYO)
    assert shown(cal) == {"2026-12-02": ["朝会"], "2026-12-03": ["深夜"], "2026-12-04": ["共有の予定"]}
    assert cal.day(date(2026, 12, 3)).at(0)[0].start == at("2026-12-03T00:30")
    # Narrowed to one owner: "mine" is the user's id, another user's id shows theirs (if visible).
    assert shown(await calendar.load(principal, week, TOKYO, owner_id=me.id)) == {
        "2026-12-02": ["朝会"], "2026-12-03": ["深夜"]}
    assert shown(await calendar.load(principal, week, TOKYO, owner_id=sharer.id)) == {"2026-12-04": ["共有の予定"]}
    assert shown(await calendar.load(principal, week, TOKYO, owner_id=other.id)) == {}
    # On a clock in UTC the late event is on the 2nd.
    utc = await calendar.load(principal, week, ZoneInfo("UTC"))
    assert shown(utc)["2026-12-02"] == ["朝会", "深夜"]


async def test_all_day_and_multi_day_events(me):
    # All day on 1 and 2 December (midnight to midnight in Tokyo, the end excluded).
    await f.make_event(me, subject="展示会", all_day=True, start_at=at("2026-12-01T00:00"), end_at=at("2026-12-03T00:00"))
    await f.make_event(me, subject="夜間作業", start_at=at("2026-12-02T22:00"), end_at=at("2026-12-03T02:00"))
    await f.make_event(me, subject="会議", start_at=at("2026-12-02T08:00"))
    await f.make_event(me, subject="一瞬", start_at=at("2026-12-03T12:00"), end_at=at("2026-12-03T12:00"))
    # Begun before the month grid, going on after it: on every day of it.
    await f.make_event(me, subject="長期出張", start_at=at("2026-11-01T09:00"), end_at=at("2027-02-01T09:00"))
    principal = await Principal.load(me)
    cal = await calendar.load(principal, calendar.date_range("week", date(2026, 12, 2), SUNDAY), TOKYO)
    days = shown(cal)
    assert days["2026-12-01"] == ["長期出張", "展示会"]
    assert days["2026-12-02"] == ["長期出張", "展示会", "会議", "夜間作業"]  # across the day first
    assert days["2026-12-03"] == ["長期出張", "夜間作業", "一瞬"]
    assert days["2026-12-04"] == ["長期出張"]
    dec2 = cal.day(date(2026, 12, 2))
    assert [e.event.subject for e in dec2.banners] == ["長期出張", "展示会"]
    assert [e.event.subject for e in dec2.at(22)] == ["夜間作業"]
    dec3 = cal.day(date(2026, 12, 3))
    assert [e.event.subject for e in dec3.banners] == ["長期出張", "夜間作業"]  # going on since the 2nd
    month = await calendar.load(principal, calendar.date_range("month", date(2026, 12, 2), SUNDAY), TOKYO)
    assert len([d for d in month.days if "長期出張" in [e.event.subject for e in d.entries]]) == 35


async def test_tasks_on_their_due_day_only_those_visible(me):
    other = await f.make_user("Sales")
    await f.make_task(me, subject="見積書を送る", due_date=date(2026, 12, 3))
    await f.make_task(me, subject="済んだ", due_date=date(2026, 12, 3), status=TaskStatus.COMPLETED)
    await f.make_task(me, subject="期日なし")
    await f.make_task(me, subject="来週", due_date=date(2026, 12, 10))
    await f.make_task(other, subject="他人のタスク", due_date=date(2026, 12, 3))
    principal = await Principal.load(me)
    week = calendar.date_range("week", date(2026, 12, 2), SUNDAY)
    cal = await calendar.load(principal, week, TOKYO)
    assert {d.day.isoformat(): [t.subject for t in d.tasks] for d in cal.days if d.tasks} == {
        "2026-12-03": ["見積書を送る", "済んだ"]}
    assert all(not d.tasks for d in (await calendar.load(principal, week, TOKYO, with_tasks=False)).days)
    assert all(not d.tasks for d in (await calendar.load(principal, week, TOKYO, owner_id=other.id)).days)


async def test_a_range_holds_a_bounded_number_of_events(me, monkeypatch):
    monkeypatch.setattr(calendar, "MAX_EVENTS", 3)
    for hour in range(5):
        await f.make_event(me, start_at=at(f"2026-12-02T{9 + hour:02d}:00"))
    cal = await calendar.load(await Principal.load(me), calendar.date_range("day", date(2026, 12, 2), SUNDAY), TOKYO)
    assert len(cal.days[0].entries) == 3 and cal.more_events == 2


# ---- moving an event ------------------------------------------------------------------------------


async def test_moving_to_a_day_or_an_hour_keeps_the_duration(me):
    principal = await Principal.load(me)
    event = await f.make_event(me, subject="打合せ", start_at=at("2026-12-02T09:30"), end_at=at("2026-12-02T11:00"))
    moved = await calendar.move(principal, event.id, TOKYO, day=date(2026, 12, 10))
    fresh = await Event.get(id=event.id)
    assert (fresh.start_at, fresh.end_at) == (at("2026-12-10T09:30"), at("2026-12-10T11:00"))
    assert moved.id == event.id
    await calendar.move(principal, event.id, TOKYO, start=datetime(2026, 12, 11, 15, 0))  # the user's clock
    fresh = await Event.get(id=event.id)
    assert (fresh.start_at, fresh.end_at) == (at("2026-12-11T15:00"), at("2026-12-11T16:30"))


async def test_moving_one_day_of_a_long_event_shifts_all_of_it(me):
    principal = await Principal.load(me)
    fair = await f.make_event(me, subject="展示会", all_day=True, start_at=at("2026-12-01T00:00"), end_at=at("2026-12-04T00:00"))
    # Its second day (the 2nd) dropped on the 9th: it now runs from the 8th to the 10th, all day.
    await calendar.move(principal, fair.id, TOKYO, day=date(2026, 12, 9), picked=date(2026, 12, 2))
    fresh = await Event.get(id=fair.id)
    assert (fresh.start_at, fresh.end_at, fresh.all_day) == (at("2026-12-08T00:00"), at("2026-12-11T00:00"), True)
    # An all-day event dropped on an hour changes day only.
    await calendar.move(principal, fair.id, TOKYO, start=datetime(2026, 12, 20, 15, 0))
    fresh = await Event.get(id=fair.id)
    assert (fresh.start_at, fresh.end_at) == (at("2026-12-20T00:00"), at("2026-12-23T00:00"))


async def test_moves_across_a_daylight_saving_change_keep_the_hours(db):
    user = await f.make_user("Sales", timezone="Europe/Berlin")
    berlin = ZoneInfo("Europe/Berlin")
    call = await f.make_event(user, start_at=at("2026-03-27T09:00", berlin), end_at=at("2026-03-27T10:00", berlin))
    await calendar.move(await Principal.load(user), call.id, berlin, day=date(2026, 3, 30))  # clocks went forward
    fresh = await Event.get(id=call.id)
    assert (fresh.start_at, fresh.end_at - fresh.start_at) == (at("2026-03-30T09:00", berlin), timedelta(hours=1))


async def test_a_refused_move_changes_nothing(me):
    sharer, stranger = await f.make_user("Sales"), await f.make_user("Sales")
    await f.share("events", Access.READ_ONLY, owner=sharer, grantee=me)
    principal = await Principal.load(me)
    shared = await f.make_event(sharer, start_at=at("2026-12-02T09:00"))
    hidden = await f.make_event(stranger, start_at=at("2026-12-02T09:00"))
    with pytest.raises(PermissionDenied):
        await calendar.move(principal, shared.id, TOKYO, day=date(2026, 12, 5))
    with pytest.raises(NotFound):
        await calendar.move(principal, hidden.id, TOKYO, day=date(2026, 12, 5))
    with pytest.raises(NotFound):
        await calendar.move(principal, "x" * 500, TOKYO, day=date(2026, 12, 5))
    # Past the calendar's last day: the event's validation refuses it.
    long = await f.make_event(me, start_at=at("2026-12-02T09:00"), end_at=at("2026-12-12T09:00"))
    with pytest.raises(ValidationError) as err:
        await calendar.move(principal, long.id, TOKYO, day=date(9998, 12, 30))
    assert err.value.errors[0].message == "Enter a date from 1000-01-01 to 9998-12-31."
    with pytest.raises(ValidationError):
        await calendar.move(principal, long.id, TOKYO, day=date(9998, 12, 30), picked=date(1000, 1, 1))
    for event, start in ((shared, "2026-12-02T09:00"), (hidden, "2026-12-02T09:00"), (long, "2026-12-02T09:00")):
        assert (await Event.get(id=event.id)).start_at == at(start)
