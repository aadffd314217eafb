"""Outlook CSV files (contacts, tasks, calendar; English and Japanese headers; UTF-8 with or without
a BOM, cp932) read through the mapping step into items, and the files Kizuna exports read back
through the same steps to the same items."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.models import PimKind, TaskPriority, TaskStatus
from app.pim import outlook_csv
from app.pim.items import FIELDS, Attendee, Item
from app.pim.text import FormatError

FILES = Path(__file__).parent / "files"
TOKYO = ZoneInfo("Asia/Tokyo")


def _import(name: str) -> tuple[outlook_csv.Table, PimKind, dict[int, str], list[Item]]:
    table = outlook_csv.read((FILES / name).read_bytes())
    kind = outlook_csv.guess_kind(table.headers)
    mapping = outlook_csv.guess_mapping(kind, table.headers)
    return table, kind, mapping, outlook_csv.items(kind, table, mapping)


def _mapped(table: outlook_csv.Table, mapping: dict[int, str]) -> dict[str, str]:
    return {table.headers[i]: target for i, target in mapping.items()}


@pytest.mark.parametrize(("name", "encoding"), [
    ("contacts_en.csv", "utf-8-sig"), ("contacts_en_nobom.csv", "utf-8"),
])
def test_english_outlook_contacts(name, encoding):
    table, kind, mapping, (john, anne, bad) = _import(name)
    assert table.encoding == encoding and kind is PimKind.CONTACTS
    assert len(table.headers) == 92
    mapped = _mapped(table, mapping)
    # Outlook's "Title" is the honorific (Mr./Ms.), not the job title.
    assert "Title" not in mapped and mapped["Job Title"] == "title"
    assert mapped["Company"] == "account_name" and "Home Street" not in mapped
    assert john.source == "line 2" and anne.source == "line 4"  # John's notes span two lines
    assert john.values == {
        "first_name": "John", "last_name": "Smith", "account_name": "Acme, Inc.", "department": "Sales",
        "title": "Sales Manager", "mailing_street": "1 Main St\nSuite 200", "mailing_city": "Springfield",
        "mailing_state": "IL", "mailing_code": "62701", "mailing_country": "United States of America",
        "other_street": "PO Box 7", "other_city": "Chicago", "other_state": "IL", "other_code": "60601",
        "other_country": "USA", "assistant_phone": "+1 217 555 0102", "fax": "+1 217 555 0199",
        "work_phone": "+1 217 555 0100", "home_phone": "+1 217 555 0111", "mobile": "+1 217 555 0123",
        "other_phone": "+1 217 555 0144", "assistant": "Mary Jones", "birthday": date(1975, 3, 15),
        "email": "john.smith@acme.example", "secondary_email": "jsmith@home.example", "reports_to": "Bob Boss",
        "description": 'Met at the fair.\nLikes "quotes", commas.',
    }
    assert john.categories == ["Kizuna", "Customers"] and john.uid == ""
    assert anne.values == {"first_name": "Anne", "last_name": "Lee", "email": "anne@example.com"}  # 0/0/00: none
    assert not john.problems and not anne.problems
    assert [(p.field, p.message, p.params) for p in bad.problems] == [
        ("birthday", "Cannot read the date “%(value)s”.", {"value": "31/31/1999"})]


@pytest.mark.parametrize(("name", "encoding"), [
    ("contacts_ja_cp932.csv", "cp932"), ("contacts_ja_bom.csv", "utf-8-sig"), ("contacts_ja_nobom.csv", "utf-8"),
])
def test_japanese_outlook_contacts(name, encoding):
    table, kind, mapping, (taro, hanako) = _import(name)
    assert table.encoding == encoding and kind is PimKind.CONTACTS
    assert len(table.headers) == 95
    mapped = _mapped(table, mapping)
    assert "肩書き" not in mapped and mapped["役職"] == "title" and mapped["会社名"] == "account_name"
    assert mapped["番地 (会社)"] == "mailing_street" and mapped["国 (会社)/地域"] == "mailing_country"
    assert taro.values == {
        "first_name": "太郎", "last_name": "髙橋", "account_name": "株式会社①商事", "department": "営業部",
        "last_name_kana": "タカハシ", "first_name_kana": "タロウ",  # Outlook's 姓フリガナ, 名前フリガナ
        "title": "部長", "mailing_street": "丸の内1-1-1\nビル2F", "mailing_city": "千代田区",
        "mailing_state": "東京都", "mailing_code": "100-0005", "mailing_country": "日本",
        "other_street": "梅田3-3", "other_city": "大阪市北区", "other_state": "大阪府", "other_code": "530-0001",
        "other_country": "日本", "assistant_phone": "03-1111-0002", "fax": "03-1111-0009",
        "work_phone": "03-1111-0000", "home_phone": "042-000-0000", "mobile": "090-1111-2222",
        "other_phone": "06-0000-0000", "reports_to": "﨑山 部長", "description": "展示会で名刺交換。\n～次回訪問～",
        "assistant": "佐藤 花子", "birthday": date(1975, 3, 15), "email": "taro@shoji.example.jp",
        "secondary_email": "taro@home.example.jp",
    }
    assert taro.categories == ["Kizuna", "顧客"]
    assert hanako.values == {"first_name": "花子", "last_name": "佐藤", "email": "hanako@example.jp"}


def test_tasks_in_english_and_japanese():
    _, kind, _, (quote, wait, old, filed, broken) = _import("tasks_en.csv")
    assert kind is PimKind.TASKS
    assert quote.values == {"subject": "Send the quote", "description": "Ask about volume.",
                            "start_date": date(2026, 11, 30), "due_date": date(2026, 12, 4),
                            "priority": TaskPriority.HIGH, "status": TaskStatus.NOT_STARTED}
    assert quote.categories == ["Kizuna"]
    assert (wait.values["priority"], wait.values["status"]) == (TaskPriority.LOW, TaskStatus.WAITING)
    assert old.values == {"subject": "Old thing", "priority": TaskPriority.NORMAL, "status": TaskStatus.DEFERRED}
    assert filed.values["status"] == TaskStatus.COMPLETED
    assert {p.field for p in broken.problems} == {"due_date", "priority"}
    _, kind, _, (quote, wait, done) = _import("tasks_ja_cp932.csv")
    assert kind is PimKind.TASKS
    assert quote.values == {"subject": "見積書を送る", "description": "数量を確認。", "start_date": date(2026, 11, 30),
                            "due_date": date(2026, 12, 4), "priority": TaskPriority.HIGH,
                            "status": TaskStatus.IN_PROGRESS}
    assert (wait.values["priority"], wait.values["status"]) == (TaskPriority.LOW, TaskStatus.WAITING)
    assert (done.values["priority"], done.values["status"]) == (TaskPriority.NORMAL, TaskStatus.COMPLETED)


def test_events_in_english():
    _, kind, mapping, (sync, holiday, lunch, broken) = _import("events_en.csv")
    assert kind is PimKind.EVENTS
    assert sorted(t for t in mapping.values() if t == "attendees") == ["attendees", "attendees"]
    assert sync.values == {
        "subject": "Project sync", "location": "Room 1", "description": "Weekly sync.\nBring numbers.",
        "start_at": datetime(2026, 12, 1, 10, tzinfo=TOKYO), "end_at": datetime(2026, 12, 1, 11, 30, tzinfo=TOKYO),
        "all_day": False,
    }
    assert sync.categories == ["Kizuna", "Meetings"]
    assert sync.attendees == [Attendee("", "John Smith"), Attendee("anne@example.com", ""),
                              Attendee("anne.lee@example.com", "Lee, Anne"), Attendee("", "Dana Park")]
    # All day: midnight to midnight after the last day (Outlook writes the day after as the end).
    assert holiday.values == {"subject": "Holiday", "start_at": datetime(2026, 12, 24, tzinfo=TOKYO),
                              "end_at": datetime(2026, 12, 26, tzinfo=TOKYO), "all_day": True}
    assert lunch.values["start_at"] == datetime(2026, 12, 2, 12, tzinfo=TOKYO)
    assert lunch.values["end_at"] == datetime(2026, 12, 2, 13, tzinfo=TOKYO)
    assert [(p.field, p.params) for p in broken.problems] == [("start_at", {"value": "25 o'clock"})]


def test_events_in_japanese_read_in_the_users_zone():
    table = outlook_csv.read((FILES / "events_ja_cp932.csv").read_bytes())
    kind = outlook_csv.guess_kind(table.headers)
    berlin = ZoneInfo("Europe/Berlin")
    meeting, holiday = outlook_csv.items(kind, table, outlook_csv.guess_mapping(kind, table.headers),
                                         tz="Europe/Berlin")
    assert meeting.values["start_at"] == datetime(2026, 12, 1, 10, tzinfo=berlin)
    assert meeting.attendees == [Attendee("", "髙橋 太郎"), Attendee("hanako@example.jp", "")]
    assert holiday.values["end_at"] == datetime(2027, 1, 5, tzinfo=berlin) and holiday.values["all_day"] is True


def test_preview_shows_the_first_rows_as_mapped():
    table = outlook_csv.read((FILES / "contacts_en.csv").read_bytes())
    mapping = outlook_csv.guess_mapping(PimKind.CONTACTS, table.headers)
    rows = outlook_csv.preview(table, mapping, n=2)
    assert len(rows) == 2
    assert rows[0]["last_name"] == "Smith" and rows[0]["birthday"] == "3/15/1975"
    assert rows[0]["mailing_street"] == "1 Main St" and rows[0]["mailing_street_2"] == "Suite 200"
    assert rows[1] == {"first_name": "Anne", "last_name": "Lee", "birthday": "0/0/00", "email": "anne@example.com"}


def test_a_mapping_the_user_changed_is_followed():
    table = outlook_csv.read("Name,Company,Memo,Whatever\r\n山田,山田商事,hello,x\r\n".encode())
    assert outlook_csv.guess_kind(table.headers) is PimKind.CONTACTS
    [item] = outlook_csv.items(PimKind.CONTACTS, table, {0: "last_name", 2: "description", 3: "not-a-target"})
    assert item.values == {"last_name": "山田", "description": "hello"}
    # As a form sends it: column numbers as text; nonsense is left out.
    form = {"0": "last_name", "1": "account_name", "x": "email", "-1": "title", "99999999": "title", 2: "subject"}
    [item] = outlook_csv.items(PimKind.CONTACTS, table, form)
    assert item.values == {"last_name": "山田", "account_name": "山田商事"}
    assert outlook_csv.preview(table, form) == [{"last_name": "山田", "account_name": "山田商事", "subject": "hello"}]


def test_targets_name_every_field_and_the_split_columns():
    for kind, fields in FIELDS.items():
        assert set(fields) <= set(outlook_csv.TARGETS[kind])
        assert "categories" in outlook_csv.TARGETS[kind]
    assert {"start_date", "start_time", "end_date", "end_time", "attendees"} <= set(outlook_csv.TARGETS[PimKind.EVENTS])
    assert {"mailing_street_2", "other_street_3"} <= set(outlook_csv.TARGETS[PimKind.CONTACTS])


def test_tab_separated_utf16_from_excel():
    table = outlook_csv.read("姓\t名\t電子メール アドレス\r\n山田\t太郎\ttaro@example.jp\r\n".encode("utf-16"))
    assert table.encoding == "utf-16"
    [item] = outlook_csv.items(PimKind.CONTACTS, table, outlook_csv.guess_mapping(PimKind.CONTACTS, table.headers))
    assert item.values == {"last_name": "山田", "first_name": "太郎", "email": "taro@example.jp"}


def test_values_over_their_limits_are_kept_whole():
    subject = "件" * 300
    table = outlook_csv.read(f"Subject,Due Date\r\n{subject},12/4/2026\r\n".encode())
    [task] = outlook_csv.items(PimKind.TASKS, table, outlook_csv.guess_mapping(PimKind.TASKS, table.headers))
    assert task.values["subject"] == subject
    assert [(p.field, p.params) for p in task.over_limits()] == [("subject", {"max": 255, "length": 300})]


CONTACT = Item(PimKind.CONTACTS, categories=["Kizuna", "顧客"], values={
    "first_name": "太郎", "last_name": "山田", "email": "taro@example.jp", "secondary_email": "t@home.example.jp",
    "title": "部長", "account_name": "山田商事, 本社", "department": "営業部", "work_phone": "03-1234-5678",
    "home_phone": "042-000-0000", "other_phone": "06-0000-0000", "mobile": "090-1111-2222", "fax": "03-1234-5679",
    "assistant": "佐藤 花子", "assistant_phone": "03-1234-5670", "reports_to": "﨑山 部長",
    "mailing_street": "丸の内1-1-1\nビル2F", "mailing_city": "千代田区", "mailing_state": "東京都",
    "mailing_code": "100-0005", "mailing_country": "日本", "other_street": "梅田3-3", "other_city": "大阪市北区",
    "other_state": "大阪府", "other_code": "530-0001", "other_country": "日本",
    "description": '一行目\n"二行目", x; y', "birthday": date(1980, 1, 15),
})
TASKS = [Item(PimKind.TASKS, categories=["Kizuna"], values={
    "subject": f"Task {status}", "due_date": date(2026, 12, 4), "start_date": date(2026, 11, 30),
    "priority": priority, "status": status, "description": "メモ\n二行目",
}) for priority, status in zip((TaskPriority.HIGH, TaskPriority.NORMAL, TaskPriority.LOW,
                                TaskPriority.NORMAL, TaskPriority.HIGH), TaskStatus)]
EVENTS = [
    Item(PimKind.EVENTS, categories=["Kizuna", "会議"], values={
        "subject": "定例会議", "location": "会議室Ａ", "description": "週次。\n資料持参。",
        "start_at": datetime(2026, 12, 1, 13, tzinfo=TOKYO), "end_at": datetime(2026, 12, 1, 14, 30, tzinfo=TOKYO),
        "all_day": False,
    }, attendees=[Attendee("taro@example.jp", "髙橋, 太郎"), Attendee("hanako@example.jp", ""),
                  Attendee("", "Dana Park")]),
    Item(PimKind.EVENTS, values={"subject": "年末休暇", "start_at": datetime(2026, 12, 28, tzinfo=TOKYO),
                                 "end_at": datetime(2027, 1, 5, tzinfo=TOKYO), "all_day": True}),
    Item(PimKind.EVENTS, values={"subject": "Midnight", "start_at": datetime(2026, 12, 2, 0, 0, tzinfo=TOKYO),
                                 "end_at": datetime(2026, 12, 2, 0, 30, tzinfo=TOKYO), "all_day": False}),
]


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize(("kind", "items"), [
    (PimKind.CONTACTS, [CONTACT]), (PimKind.TASKS, TASKS), (PimKind.EVENTS, EVENTS)])
def test_round_trip_through_read_guess_and_items(kind, items, language):
    data = outlook_csv.write(kind, items, language=language)
    assert data.startswith(b"\xef\xbb\xbf")
    table = outlook_csv.read(data)
    assert table.headers[0] == {"en": {PimKind.CONTACTS: "Title"}, "ja": {PimKind.CONTACTS: "肩書き"}}[language].get(
        kind, {"en": "Subject", "ja": "件名"}[language])
    assert outlook_csv.guess_kind(table.headers) is kind
    back = outlook_csv.items(kind, table, outlook_csv.guess_mapping(kind, table.headers))
    for item in back:
        item.source = ""
    assert back == items


def test_highest_and_lowest_are_written_as_outlooks_high_and_low():
    items = [Item(PimKind.TASKS, values={"subject": "a", "priority": TaskPriority.HIGHEST}),
             Item(PimKind.TASKS, values={"subject": "b", "priority": TaskPriority.LOWEST})]
    table = outlook_csv.read(outlook_csv.write(PimKind.TASKS, items, language="ja"))
    back = outlook_csv.items(PimKind.TASKS, table, outlook_csv.guess_mapping(PimKind.TASKS, table.headers))
    assert [i.values["priority"] for i in back] == [TaskPriority.HIGH, TaskPriority.LOW]


def test_export_writes_times_in_the_users_zone():
    data = outlook_csv.write(PimKind.EVENTS, EVENTS[:1], language="en", tz="America/New_York")
    assert b'"11/30/2026","11:00:00 PM","12/1/2026","12:30:00 AM"' in data


@pytest.mark.parametrize(("data", "msgid"), [
    (b"", "The file is empty: the first line must name the columns."),
    (b"\r\n\r\n", "The file is empty: the first line must name the columns."),
    (b"a,b\r\n" + b"x,y\r\n" * 20_001, "The file has too many rows (at most %(max)d)."),
    (b"a,b\r\n\"" + b"x" * 200_000 + b"\",y\r\n", "A value at line %(line)d is too long (at most %(max)d characters)."),
    (b"a,b\r\n\"x\"y,z\r\n", "The file is not a CSV file (line %(line)d)."),
    (b"a,b\r\n\"never closed,z\r\n", "The file is not a CSV file (line %(line)d)."),
    (",".join(f"c{i}" for i in range(1_000)).encode(), "The file has too many columns (at most %(max)d)."),
    (b"h\r\n" + (b"x" + b"," * 400 + b"\r\n") * 8_000, "The file has too many values (at most %(max)d)."),
    (b"x" * (outlook_csv.MAX_BYTES + 1), "The file is too large (at most %(max)s MB)."),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "The file is not text in UTF-8, UTF-16 or Shift_JIS."),
])
def test_hostile_files_are_refused_with_a_message(data, msgid):
    with pytest.raises(FormatError) as raised:
        outlook_csv.read(data)
    assert raised.value.msgid == msgid


def test_the_row_bound_is_the_callers():
    with pytest.raises(FormatError):
        outlook_csv.read(b"a\r\n1\r\n2\r\n3\r\n", max_rows=2)


def test_a_header_no_kind_knows_guesses_nothing():
    assert outlook_csv.guess_kind(["foo", "bar"]) is None
    assert outlook_csv.guess_mapping(PimKind.CONTACTS, ["foo", "bar"]) == {}
