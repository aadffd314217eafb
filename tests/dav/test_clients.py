"""Real clients against a live Kizuna: the caldav library (events, a weekly meeting, tasks, sync
tokens) and vdirsyncer syncing a local folder of .vcf and .ics files both ways, with conflicts
and deletions. One server for the module."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import caldav

from app.models import Contact, Event, PimKind, PimSetting, Task
from app.services.activities import events, tasks
from app.services.contacts import contacts
from tests.dav.conftest import dav_user
from tests.factories import principal_for

VDIRSYNCER = str(Path(sys.executable).with_name("vdirsyncer"))
TOKYO = ZoneInfo("Asia/Tokyo")

EVENT = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//caldav//EN
BEGIN:VEVENT
UID:{uid}
DTSTAMP:20261101T000000Z
DTSTART;TZID=Asia/Tokyo:{start}
DTEND;TZID=Asia/Tokyo:{end}
SUMMARY:{summary}
{extra}END:VEVENT
END:VCALENDAR
"""

TODO = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//caldav//EN
BEGIN:VTODO
UID:{uid}
DTSTAMP:20261101T000000Z
SUMMARY:{summary}
DUE;VALUE=DATE:20261220
{extra}END:VTODO
END:VCALENDAR
"""


async def test_caldav_library(dav_server, dav_db):
    who = await dav_user("Manager")
    with caldav.DAVClient(url=f"{dav_server}/dav/", username=who.user.email, password=who.token) as client:
        principal = client.principal()
        [calendar] = principal.calendars()
        assert set(calendar.get_supported_components()) >= {"VEVENT", "VTODO"}

        calendar.save_event(EVENT.format(uid="ev-1", start="20261203T100000", end="20261203T110000",
                                         summary="打ち合わせ", extra=""))
        calendar.save_event(EVENT.format(uid="ev-weekly", start="20261207T090000", end="20261207T093000",
                                         summary="週次定例", extra="RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10\n"))
        calendar.save_todo(TODO.format(uid="todo-1", summary="見積を送る", extra=""))
        calendar.save_todo(TODO.format(uid="todo-weekly", summary="週報", extra="RRULE:FREQ=WEEKLY;COUNT=4\n"))

        meeting = await Event.get(subject="打ち合わせ")
        assert meeting.start_at == datetime(2026, 12, 3, 10, tzinfo=TOKYO)
        weekly = await Event.get(subject="週次定例")
        assert "FREQ=WEEKLY" in weekly.recurrence
        assert "FREQ=WEEKLY" in (await Task.get(subject="週報")).recurrence

        # Read back: by UID (the client's, kept), all events and all tasks.
        got = calendar.get_event_by_uid("ev-weekly")
        assert got.icalendar_component["RRULE"]["FREQ"] == ["WEEKLY"]
        assert {str(e.icalendar_component["SUMMARY"]) for e in calendar.events()} == {"打ち合わせ", "週次定例"}
        assert {str(t.icalendar_component["SUMMARY"]) for t in calendar.todos(include_completed=True)} == {
            "見積を送る", "週報"}
        in_range = calendar.search(event=True, start=datetime(2026, 12, 3), end=datetime(2026, 12, 4), expand=False)
        assert "打ち合わせ" in {str(e.icalendar_component["SUMMARY"]) for e in in_range}

        # Sync tokens: what changes in Kizuna (through the services) comes with the next sync.
        synced = calendar.get_objects_by_sync_token(load_objects=True, disable_fallback=True)
        assert len(list(synced)) == 4
        assert not any(synced.sync())  # nothing new
        kizuna = await principal_for(who.user)
        await events.update(kizuna, meeting.id, {"subject": "打ち合わせ(変更)"})
        await tasks.delete(kizuna, (await Task.get(subject="見積を送る")).id)
        created = await tasks.create(kizuna, {"subject": "電話する"})
        updated, deleted = synced.sync()
        summaries = {str(o.icalendar_component["SUMMARY"]) for o in updated}
        assert summaries == {"打ち合わせ(変更)", "電話する"}
        assert [str(u).rsplit("/", 1)[1] for u in deleted] == ["todo-1.ics"]
        assert not any(synced.sync())

        # The client edits and deletes; Kizuna follows.
        todo = calendar.get_todo_by_uid(f"kizuna-task-{created.id}")
        todo.icalendar_component["SUMMARY"] = "電話した"
        todo.save()
        assert await Task.filter(id=created.id, subject="電話した").exists()
        await PimSetting.create(user=who.user, kind=PimKind.EVENTS, delete_threshold=100)
        calendar.get_event_by_uid("ev-1").delete()
        assert not await Event.filter(id=meeting.id).exists()

        # The phone moves one meeting of the weekly series: the override comes back with it.
        series = calendar.get_event_by_uid("ev-weekly")
        series.data = EVENT.format(uid="ev-weekly", start="20261207T090000", end="20261207T093000",
                                   summary="週次定例", extra="RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10\n").replace(
            "END:VCALENDAR", "BEGIN:VEVENT\nUID:ev-weekly\nDTSTAMP:20261101T000000Z\n"
            "RECURRENCE-ID;TZID=Asia/Tokyo:20261214T090000\nDTSTART;TZID=Asia/Tokyo:20261214T100000\n"
            "DTEND;TZID=Asia/Tokyo:20261214T103000\nSUMMARY:週次定例（移動）\nEND:VEVENT\nEND:VCALENDAR")
        series.save()
        assert "RECURRENCE-ID" in (await Event.get(id=weekly.id)).recurrence
        back = calendar.get_event_by_uid("ev-weekly").icalendar_instance.walk("VEVENT")
        assert [str(e["SUMMARY"]) for e in back] == ["週次定例", "週次定例（移動）"]
        assert back[1].decoded("DTSTART") == datetime(2026, 12, 14, 10, tzinfo=TOKYO)


def vdirsyncer(config: Path, *args: str) -> str:
    done = subprocess.run([VDIRSYNCER, "-c", str(config), *args], input="y\n" * 10, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def find(folder: Path, text: str) -> Path:
    [found] = [p for p in folder.iterdir() if text in p.read_text(encoding="utf-8")]
    return found


async def test_vdirsyncer_both_ways(dav_server, dav_db, tmp_path):
    who = await dav_user("Manager")
    kizuna = await principal_for(who.user)
    await PimSetting.create(user=who.user, kind=PimKind.CONTACTS, delete_threshold=100)
    kimura = await contacts.create(kizuna, {"last_name": "木村", "first_name": "拓", "email": "kimura@example.jp"})
    kato = await contacts.create(kizuna, {"last_name": "加藤", "email": "kato@example.jp"})
    start = datetime(2026, 12, 10, 15, tzinfo=TOKYO)
    review = await events.create(kizuna, {"subject": "レビュー", "start_at": start, "end_at": start + timedelta(hours=1)})
    config = tmp_path / "config"
    remote = f'url = "{dav_server}/dav/"\nusername = "{who.user.email}"\npassword = "{who.token}"'
    config.write_text(textwrap.dedent(f"""\
        [general]
        status_path = "{tmp_path}/status/"

        [pair contacts]
        a = "contacts_local"
        b = "contacts_kizuna"
        collections = ["from b"]
        conflict_resolution = "b wins"

        [storage contacts_local]
        type = "filesystem"
        path = "{tmp_path}/contacts/"
        fileext = ".vcf"

        [storage contacts_kizuna]
        type = "carddav"
        {{remote}}

        [pair calendar]
        a = "calendar_local"
        b = "calendar_kizuna"
        collections = ["from b"]
        conflict_resolution = "b wins"

        [storage calendar_local]
        type = "filesystem"
        path = "{tmp_path}/calendar/"
        fileext = ".ics"

        [storage calendar_kizuna]
        type = "caldav"
        {{remote}}
        """).replace("{remote}", remote))
    vdirsyncer(config, "discover")
    vdirsyncer(config, "sync")
    book, cal = tmp_path / "contacts" / "contacts", tmp_path / "calendar" / "calendar"
    assert sorted(p.name for p in book.iterdir()) == sorted(
        f"kizuna-contact-{c.id}.vcf" for c in (kimura, kato))
    assert "SUMMARY:レビュー" in find(cal, "レビュー").read_text(encoding="utf-8")

    # New local items go to Kizuna.
    (book / "local-1.vcf").write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:local-1\r\nFN:新井 光\r\n"
                                      "N:新井;光;;;\r\nEMAIL:arai@example.jp\r\nEND:VCARD\r\n", encoding="utf-8")
    (cal / "local-todo.ics").write_text(TODO.format(uid="local-todo", summary="請求書を確認", extra="")
                                        .replace("\n", "\r\n"), encoding="utf-8")
    vdirsyncer(config, "sync")
    arai = await Contact.get(email="arai@example.jp")
    assert arai.last_name == "新井"
    assert await Task.filter(subject="請求書を確認").exists()

    # Edited on both sides: the configured resolution (Kizuna wins) decides.
    local = find(book, "kimura@example.jp")
    local.write_text(local.read_text(encoding="utf-8").replace("木村", "木下"), encoding="utf-8")
    await contacts.update(kizuna, kimura.id, {"last_name": "木村(本社)"})
    # Edited on one side only: it travels.
    ics = find(cal, "レビュー")
    ics.write_text(ics.read_text(encoding="utf-8").replace("SUMMARY:レビュー", "SUMMARY:設計レビュー"),
                   encoding="utf-8")
    vdirsyncer(config, "sync")
    assert "木村(本社)" in find(book, "kimura@example.jp").read_text(encoding="utf-8")
    await kimura.refresh_from_db()
    assert kimura.last_name == "木村(本社)"
    await review.refresh_from_db()
    assert review.subject == "設計レビュー"

    # Deletions both ways.
    (book / "local-1.vcf").unlink()
    await contacts.delete(kizuna, kato.id)
    vdirsyncer(config, "sync")
    assert not await Contact.filter(id=arai.id).exists()
    assert sorted(p.name for p in book.iterdir()) == [f"kizuna-contact-{kimura.id}.vcf"]
    # And a second run has nothing left to do.
    assert "Copying" not in vdirsyncer(config, "sync")


async def test_concurrent_puts_of_one_new_item(dav_server, dav_db):
    import asyncio

    import httpx

    from app.models import PimResource

    who = await dav_user("Manager")
    card = ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:race\r\nFN:競争 太郎\r\nN:競争;太郎;;;\r\n"
            "EMAIL:race@example.jp\r\nEND:VCARD\r\n")
    async with httpx.AsyncClient(base_url=dav_server, auth=(who.user.email, who.token)) as http:
        answers = await asyncio.gather(*(http.put("/dav/addressbooks/contacts/race.vcf", content=card)
                                         for _ in range(6)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201, 204, 204, 204, 204, 204], statuses
    assert await Contact.filter(email="race@example.jp").count() == 1
    assert await PimResource.filter(href="race.vcf", deleted=False).count() == 1
