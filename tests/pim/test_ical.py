"""iCalendar files (Outlook's, with Windows time-zone names; CalDAV clients'; task lists) read into
event and task items, and the calendars Kizuna writes read back to the same items."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from app.models import PimKind, TaskPriority, TaskStatus
from app.pim import ical
from app.pim.items import Attendee, Item
from app.pim.text import FormatError

FILES = Path(__file__).parent / "files"
TOKYO = ZoneInfo("Asia/Tokyo")


def _load(name: str, **kwargs) -> list[Item]:
    return ical.loads((FILES / name).read_bytes(), **kwargs)


@pytest.mark.parametrize("name", ["outlook_tokyo.ics", "outlook_tokyo_cp932.ics"])
def test_outlook_calendar_with_its_windows_zone_attendees_and_rule(name):
    meeting, holiday = _load(name)  # the moved instance (RECURRENCE-ID) is kept with its series
    assert meeting.uid.startswith("040000008200E00074C5B7101A82E008")
    assert meeting.values == {
        "subject": "定例会議", "description": "週次の定例。\n資料を持参, 印刷済み。", "location": "会議室Ａ",
        "start_at": datetime(2026, 12, 1, 10, tzinfo=TOKYO), "end_at": datetime(2026, 12, 1, 11, 30, tzinfo=TOKYO),
        "all_day": False,
    }
    assert meeting.categories == ["Kizuna", "会議"]
    # CN equal to the address is no name; a room (no mailto:) is no attendee.
    assert meeting.attendees == [Attendee("taro@shoji.example.jp", "髙橋, 太郎"), Attendee("hanako@example.jp", "")]
    rule, exdate, override = meeting.recurrence.split("\n", 2)
    assert (rule, exdate) == ("RRULE:FREQ=WEEKLY;UNTIL=20270330T010000Z;INTERVAL=1;BYDAY=TU;WKST=SU",
                              'EXDATE;TZID="Tokyo Standard Time":20261215T100000')
    assert override.startswith("BEGIN:VEVENT\n") and "RECURRENCE-ID;TZID=Tokyo Standard Time:20261208T100000" in override
    assert meeting.source == "line 14" and not meeting.problems
    assert holiday.values == {"subject": "休暇", "start_at": datetime(2026, 12, 24, tzinfo=TOKYO),
                              "end_at": datetime(2026, 12, 26, tzinfo=TOKYO), "all_day": True}


def test_windows_zone_names_floating_times_utc_and_durations():
    pacific, floating, utc, mars = _load("windows_zones.ics")
    assert pacific.values["start_at"] == datetime(2026, 12, 1, 9, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert pacific.values["start_at"].tzinfo == TOKYO  # every moment comes out in the user's zone
    assert floating.values["start_at"] == datetime(2026, 12, 2, 9, tzinfo=TOKYO)
    assert floating.values["end_at"] == datetime(2026, 12, 2, 10, 30, tzinfo=TOKYO)
    assert utc.values["start_at"] == datetime(2026, 12, 3, tzinfo=timezone.utc)
    assert "start_at" not in mars.values
    assert [(p.field, p.message, p.params) for p in mars.problems] == [
        ("start_at", "Unknown time zone “%(value)s”.", {"value": "Olympus Mons Time"})]


def test_floating_times_are_read_in_the_users_zone():
    [floating] = [i for i in _load("windows_zones.ics", tz="Europe/Berlin") if i.uid == "floating-1"]
    assert floating.values["start_at"] == datetime(2026, 12, 2, 9, tzinfo=ZoneInfo("Europe/Berlin"))


def test_the_windows_zone_table_comes_from_cldr_through_icalendar():
    # Canary: icalendar ships CLDR's windowsZones mapping and resolves TZIDs with it.
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    assert WINDOWS_TO_OLSON["Tokyo Standard Time"] == "Asia/Tokyo"
    assert WINDOWS_TO_OLSON["Pacific Standard Time"] == "America/Los_Angeles"


def test_tasks_priorities_statuses_and_dates():
    tasks = {t.uid: t for t in _load("tasks.ics")}
    assert tasks["task-1"].values == {
        "subject": "見積書を送る", "description": "数量を確認。", "start_date": date(2026, 11, 30),
        "due_date": date(2026, 12, 4), "priority": TaskPriority.HIGHEST, "status": TaskStatus.NOT_STARTED,
    }
    assert tasks["task-1"].categories == ["Kizuna"]
    # 20:00 UTC on the 5th is the 6th in Tokyo.
    assert tasks["task-2"].values["due_date"] == date(2026, 12, 6)
    assert [tasks[f"task-{n}"].values.get("priority") for n in range(1, 7)] == [
        TaskPriority.HIGHEST, TaskPriority.HIGH, TaskPriority.NORMAL, TaskPriority.LOW, TaskPriority.LOWEST,
        TaskPriority.NORMAL]
    assert [tasks[f"task-{n}"].values.get("status") for n in range(1, 6)] == [
        TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.COMPLETED, TaskStatus.DEFERRED, None]
    assert tasks["task-6"].recurrence == "RRULE:FREQ=MONTHLY;BYMONTHDAY=1"


def test_cp932_is_decoded_before_parsing_not_turned_into_replacement_characters():
    text = (FILES / "outlook_tokyo_cp932.ics").read_bytes()
    assert "\ufffd" not in str(ical.loads(text))


def test_values_over_their_limits_are_kept_whole():
    subject = "件" * 256
    body = (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nUID:t\r\nSUMMARY:{subject}\r\nEND:VTODO\r\n"
            "END:VCALENDAR\r\n")
    [task] = ical.loads(body)
    assert task.values["subject"] == subject
    assert [(p.field, p.params) for p in task.over_limits()] == [("subject", {"max": 255, "length": 256})]


EVENT = Item(PimKind.EVENTS, uid="kizuna-event-1", categories=["Kizuna", "会議"], values={
    "subject": "定例会議; 週次, 第1", "location": "会議室Ａ", "description": "一行目\n二行目",
    "start_at": datetime(2026, 12, 1, 10, tzinfo=TOKYO), "end_at": datetime(2026, 12, 1, 11, 30, tzinfo=TOKYO),
    "all_day": False,
}, attendees=[Attendee("taro@example.jp", "髙橋, 太郎"), Attendee("hanako@example.jp", "")],
    recurrence='RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=10\nEXDATE;TZID="Tokyo Standard Time":20261208T100000')
ALL_DAY = Item(PimKind.EVENTS, uid="kizuna-event-2", values={
    "subject": "年末休暇", "start_at": datetime(2026, 12, 28, tzinfo=TOKYO), "end_at": datetime(2027, 1, 5, tzinfo=TOKYO),
    "all_day": True})
TASKS = [Item(PimKind.TASKS, uid=f"kizuna-task-{n}", values={
    "subject": f"Task {status}", "due_date": date(2026, 12, 4), "start_date": date(2026, 11, 30),
    "priority": priority, "status": status, "description": "メモ",
}) for n, (priority, status) in enumerate(zip(TaskPriority, TaskStatus))]


def test_round_trip_of_events_and_tasks_in_one_calendar():
    items = [EVENT, ALL_DAY, *TASKS]
    text = ical.dumps(items)
    back = ical.loads(text)
    for item in back:
        item.source = ""
    assert back == items


def test_written_calendars_never_invite():
    text = ical.dumps([EVENT])
    calendar = icalendar.Calendar.from_ical(text)
    assert "METHOD" not in calendar and "RSVP" not in text and "ORGANIZER" not in text
    for attendee in calendar.walk("VEVENT")[0]["ATTENDEE"]:
        assert attendee.params["SCHEDULE-AGENT"] == "NONE"
    assert calendar["PRODID"] == "-//Kizuna//Kizuna PIM//EN"
    # Every zone a time names has its VTIMEZONE, the Windows one of the kept EXDATE included.
    assert {tz["TZID"] for tz in calendar.walk("VTIMEZONE")} == {"Asia/Tokyo", "Tokyo Standard Time"}


def test_recurrence_lines_are_written_verbatim_and_nothing_else_gets_in():
    item = Item(PimKind.EVENTS, uid="e", values=dict(EVENT.values), recurrence=(
        "RRULE:FREQ=DAILY;COUNT=2\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:injected\n"
        'RDATE;TZID="Tokyo Standard Time":20261224T100000'))
    text = ical.dumps([item])
    assert text.count("BEGIN:VEVENT") == 1 and "injected" not in text
    assert 'RDATE;TZID="Tokyo Standard Time":20261224T100000\r\n' in text
    [back] = ical.loads(text)
    assert back.recurrence == 'RRULE:FREQ=DAILY;COUNT=2\nRDATE;TZID="Tokyo Standard Time":20261224T100000'


def test_a_moved_occurrence_survives_the_round_trip_with_its_series():
    """A phone moves one meeting of a weekly series: the override (RECURRENCE-ID) comes back with
    the series' UID, its new time, no organizer and nobody to invite."""
    meeting, _ = _load("outlook_tokyo.ics")
    text = ical.dumps([meeting])
    calendar = icalendar.Calendar.from_ical(text)
    series, moved = calendar.walk("VEVENT")
    assert str(moved["UID"]) == str(series["UID"]) == meeting.uid
    assert moved.decoded("DTSTART") == datetime(2026, 12, 8, 11, tzinfo=TOKYO)
    assert str(moved["SUMMARY"]) == "定例会議（時間変更）" and "DTSTAMP" in moved
    [again] = ical.loads(text)
    assert again.recurrence == meeting.recurrence and again.values == meeting.values


def test_a_kept_override_is_checked_again_when_written():
    """Stored text is data: only an override of the series' own kind gets out, re-keyed to the
    series and stripped of what would schedule anything."""
    base = "RRULE:FREQ=DAILY;COUNT=3\n"
    moved = ("BEGIN:VEVENT\nSUMMARY:moved\nUID:someone-else\nORGANIZER:mailto:boss@example.jp\n"
             "ATTENDEE;RSVP=TRUE:mailto:guest@example.jp\nRECURRENCE-ID:20261202T010000Z\n"
             "DTSTART:20261202T020000Z\nDTEND:20261202T030000Z\nEND:VEVENT")
    not_override = "BEGIN:VEVENT\nSUMMARY:injected\nDTSTART:20261202T020000Z\nEND:VEVENT"
    task_override = "BEGIN:VTODO\nSUMMARY:wrong kind\nRECURRENCE-ID:20261202T010000Z\nEND:VTODO"
    item = Item(PimKind.EVENTS, uid="series", values=dict(EVENT.values),
                recurrence="\n".join([base.strip(), moved, not_override, task_override]))
    text = ical.dumps([item])
    assert "injected" not in text and "wrong kind" not in text and "ORGANIZER" not in text
    assert "RSVP" not in text and "someone-else" not in text
    events = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == ["series", "series"]
    assert events[1]["ATTENDEE"].params["SCHEDULE-AGENT"] == "NONE"
    # Without a rule there is no series to override: nothing but the event itself.
    alone = ical.dumps([Item(PimKind.EVENTS, uid="one", values=dict(EVENT.values), recurrence=moved)])
    assert alone.count("BEGIN:VEVENT") == 1


def test_an_item_without_uid_gets_one():
    item = Item(PimKind.TASKS, values={"subject": "From a CSV row"})
    [back] = ical.loads(ical.dumps([item]))
    assert back.uid.startswith("kizuna-") and back.values == item.values


def test_a_status_kizuna_wrote_yields_to_the_one_a_client_set():
    text = ical.dumps([Item(PimKind.TASKS, uid="t", values={"subject": "x", "status": TaskStatus.WAITING})])
    assert "X-KIZUNA-STATUS:waiting" in text
    [task] = ical.loads(text.replace("STATUS:IN-PROCESS", "STATUS:COMPLETED"))
    assert task.values["status"] == TaskStatus.COMPLETED


@pytest.mark.parametrize(("data", "msgid"), [
    (b"", "The file holds no calendar (BEGIN:VCALENDAR is missing)."),
    (b"BEGIN:VCARD\r\nEND:VCARD\r\n", "The file holds no calendar (BEGIN:VCALENDAR is missing)."),
    (b"BEGIN:VCALENDAR\r\n" + b"BEGIN:VEVENT\r\n" * 100_000, "Components are nested too deeply at line %(line)d."),
    (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
     "The calendar is broken at line %(line)d (BEGIN and END do not match)."),
    (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\n", "The calendar is broken at line %(line)d (BEGIN and END do not match)."),
    (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n" + b"ATTENDEE:mailto:a@example.com\r\n" * 10_000 + b"END:VEVENT\r\nEND:VCALENDAR\r\n",
     "An event or task has too many lines (at most %(max)d), at line %(line)d."),
    (b"BEGIN:VCALENDAR\r\n" + b"BEGIN:VTODO\r\nEND:VTODO\r\n" * (ical.MAX_COMPONENTS + 1) + b"END:VCALENDAR\r\n",
     "The file holds too many events and tasks (at most %(max)d)."),
    (b"x" * (ical.MAX_BYTES + 1), "The file is too large (at most %(max)s MB)."),
    (b"\x00\x01\x02BEGIN:VCALENDAR", "The file is not text in UTF-8, UTF-16 or Shift_JIS."),
])
def test_hostile_files_are_refused_with_a_message(data, msgid):
    with pytest.raises(FormatError) as raised:
        ical.loads(data)
    assert raised.value.msgid == msgid


def test_an_unreadable_date_is_a_problem_on_its_item():
    [event] = ical.loads(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:s\r\nDTSTART:tomorrow\r\n"
                         b"END:VEVENT\r\nEND:VCALENDAR\r\n")
    assert event.values == {"subject": "s"}
    assert [p.field for p in event.problems] == ["start_at"]


def test_the_same_item_and_stamp_give_the_same_text():
    stamp = datetime(2026, 11, 29, 12, 30, 15, 999, tzinfo=TOKYO)
    first = ical.dumps([EVENT, *TASKS], stamp=stamp)
    assert first == ical.dumps([EVENT, *TASKS], stamp=stamp)
    assert "DTSTAMP:20261129T033015Z" in first


def test_text_given_as_str_may_start_with_a_bom():
    [event] = ical.loads("\ufeff" + ical.dumps([EVENT]))
    assert event.values == EVENT.values


@pytest.mark.parametrize("start", ["DTSTART:99991231T230000Z", "DTSTART;VALUE=DATE:00010101"])
def test_dates_out_of_range_are_problems(start):
    [event] = ical.loads(f"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\n{start}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    assert "start_at" not in event.values
    assert [(p.field, p.message) for p in event.problems] == [("start_at", "The date %(value)s is out of range.")]
