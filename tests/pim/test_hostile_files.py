"""Hostile files are normal input: whatever bytes come in, every reader returns items or raises a
FormatError (a ValueError with a message id for the import page), never anything else; and the
items it returns hold only what Item promises (text, dates, aware datetimes, problems)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from app.models import PimKind
from app.pim import ical, outlook_csv, vcard
from app.pim.items import Item
from app.pim.text import FormatError

FILES = Path(__file__).parent / "files"
SAMPLES = {path.suffix: [] for path in FILES.iterdir()}
for _path in sorted(FILES.iterdir()):
    SAMPLES[_path.suffix].append(_path.read_bytes())
TOKENS = [b":", b";", b"=", b",", b"\\", b'"', b"\r\n", b"\n", b" ", b"\x00", b"\xff", b"\x81", b"=\r\n",
          b"BEGIN:VEVENT\r\n", b"END:VEVENT\r\n", b"BEGIN:VCARD\r\n", b"END:VCARD\r\n", b"BEGIN:VCALENDAR\r\n",
          b"TZID=", b";VALUE=DATE", b"DTSTART", b"ENCODING=QUOTED-PRINTABLE", b"CHARSET=SHIFT_JIS", b"0/0/00",
          "髙".encode("cp932"), "髙".encode(), b"\xef\xbb\xbf"]

settings.register_profile("pim-files", max_examples=60, derandomize=True, deadline=None, database=None)


@st.composite
def mutated(draw, suffix: str) -> bytes:
    data = bytearray(draw(st.sampled_from(SAMPLES[suffix])))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "repeat", "bytes"]))
        if action == "insert":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif action == "delete":
            del data[at:at + draw(st.integers(1, 40))]
        elif action == "repeat":
            data[at:at] = data[at:at + draw(st.integers(1, 80))] * draw(st.integers(1, 5))
        else:
            data[at:at] = draw(st.binary(max_size=8))
    return bytes(data)


def _sound(items: list[Item], kind: PimKind | None = None) -> None:
    for item in items:
        assert kind is None or item.kind is kind
        for name, value in item.values.items():
            assert isinstance(value, (str, bool, date)), (name, value)
            if isinstance(value, datetime):
                assert value.tzinfo is not None
            if isinstance(value, str):
                assert value == value.strip() and value and "\x00" not in value
        item.over_limits()
        assert Item.from_json(item.to_json()).values == item.values


@settings(settings.get_profile("pim-files"))
@given(data=st.one_of(mutated(".vcf"), st.binary(max_size=300)))
def test_vcard_reader_survives_anything(data):
    try:
        _sound(vcard.loads(data), PimKind.CONTACTS)
    except FormatError:
        pass


@settings(settings.get_profile("pim-files"))
@given(data=st.one_of(mutated(".ics"), st.binary(max_size=300)))
def test_ical_reader_survives_anything(data):
    try:
        _sound(ical.loads(data))
    except FormatError:
        pass


@settings(settings.get_profile("pim-files"))
@given(data=st.one_of(mutated(".csv"), st.binary(max_size=300)))
def test_csv_reader_survives_anything(data):
    try:
        table = outlook_csv.read(data)
    except FormatError:
        return
    for kind in PimKind:
        mapping = outlook_csv.guess_mapping(kind, table.headers)
        outlook_csv.preview(table, mapping)
        _sound(outlook_csv.items(kind, table, mapping), kind)


def test_a_line_folded_a_million_times_is_read_in_one_pass():
    # Joining each fold onto the line so far would copy it a million times (minutes, not a second).
    folds = "x\r\n " * 1_000_000
    [event] = ical.loads(f"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART:20260101T000000Z\r\n"
                         f"DESCRIPTION:{folds}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".encode())
    assert len(event.values["description"]) == 1_000_000
    soft_breaks = "x=\r\n" * 1_000_000  # quoted-printable soft line breaks
    [card] = vcard.loads(f"BEGIN:VCARD\r\nVERSION:2.1\r\nN:a;b\r\nNOTE;ENCODING=QUOTED-PRINTABLE:{soft_breaks}x\r\n"
                         "END:VCARD\r\n".encode())
    assert len(card.values["description"]) == 1_000_001


def test_many_categories_and_attendees_are_read_in_one_pass():
    names = ";".join(f"n{i}" for i in range(14_000))  # just under the largest value
    table = outlook_csv.read(f"Subject,Start Date,Categories,Required Attendees\r\ns,12/1/2026,{names},{names}\r\n"
                             .encode())
    [event] = outlook_csv.items(PimKind.EVENTS, table, outlook_csv.guess_mapping(PimKind.EVENTS, table.headers))
    assert len(event.categories) == 14_000 and len(event.attendees) == 14_000
    assert event.over_limits()  # categories are over their 255 characters: reported, not cut
