"""Outlook CSV files (contacts, tasks, calendar) to items and back, through a column mapping.

An import reads the file (`read`: decoded by app.pim.text, UTF-8 with or without BOM, UTF-16 or
cp932; comma, tab or semicolon separated, as Outlook, Excel and Excel's "Unicode text" write
them), guesses what it holds and how its columns map (`guess_kind`, `guess_mapping`, from
Outlook's English and Japanese headers and the spellings in app.pim.outlook_headers), shows the
user a `preview` of the first rows to confirm or change the mapping, and then turns the rows into
items (`items`). `write` is the export: Outlook's full header in English or Japanese, UTF-8 with
a BOM (Excel and Outlook read it), and it reads back through the same steps to the same items.

TARGETS (what a column can be mapped to) are the Item value names of app.pim.items.FIELDS, plus:
- "categories" (every kind): names separated by ";" (Outlook) or ",".
- contacts: "mailing_street_2", "mailing_street_3", "other_street_2", "other_street_3": Outlook's
  Street 2 and Street 3 columns, joined to the street on new lines.
- events: "start_date", "start_time", "end_date", "end_time": Outlook's split date and time
  columns (start_at/end_at read a column holding both); "attendees": names or e-mail addresses
  separated by ";" ("Name <address>" gives both; a bare name is an attendee without an address,
  for the de-duplication rules to match).
Several columns mapped to one target: lists are merged, streets joined, for other text the first
non-empty value wins.

Values: text is stripped and left out when empty; dates as Outlook writes them in either language
(app.pim.values.parse_date; "0/0/00" is no date); priorities High/Normal/Low and 高/標準/低
(Kizuna's highest and lowest are written as High and Low: Outlook has three); statuses in
either language. An event with "All day event" true (or no start time at all) is all-day, from
midnight of its start date to midnight after its end date (Outlook writes the day after).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from app.i18n import N_
from app.models import PimKind, TaskPriority, TaskStatus
from app.pim import values as v
from app.pim.items import FIELDS, Attendee, Item
from app.pim.outlook_headers import (
    ALIASES, HEADERS, PRIORITY_IN, PRIORITY_OUT, STATUS_IN, STATUS_OUT, WRITTEN, key,
)
from app.pim.text import FormatError, decode_report

MAX_BYTES = 20 * 1024 * 1024
MAX_COLUMNS = 500
MAX_FIELD = 100_000  # characters in one cell (a description is at most 32,000)
MAX_CELLS = 3_000_000  # Outlook's 92 contact columns for 20,000 rows is 1.84 million

TOO_BIG = N_("The file is too large (at most %(max)s MB).")
TOO_MANY_ROWS = N_("The file has too many rows (at most %(max)d).")
TOO_MANY_COLUMNS = N_("The file has too many columns (at most %(max)d).")
TOO_MANY_CELLS = N_("The file has too many values (at most %(max)d).")
FIELD_TOO_LARGE = N_("A value at line %(line)d is too long (at most %(max)d characters).")
BAD_CSV = N_("The file is not a CSV file (line %(line)d).")
NO_HEADER = N_("The file is empty: the first line must name the columns.")

TARGETS: dict[PimKind, list[str]] = {
    PimKind.CONTACTS: [*FIELDS[PimKind.CONTACTS], "mailing_street_2", "mailing_street_3",
                       "other_street_2", "other_street_3", "categories"],
    PimKind.TASKS: [*FIELDS[PimKind.TASKS], "categories"],
    PimKind.EVENTS: [*FIELDS[PimKind.EVENTS], "start_date", "start_time", "end_date", "end_time",
                     "categories", "attendees"],
}
_LISTS = {"categories", "attendees"}


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    encoding: str
    # The line of the file each row begins on (a quoted value may span lines), for Item.source.
    lines: list[int] = field(default_factory=list)


# ---- reading the file ------------------------------------------------------------------------

def read(data: bytes, *, max_rows: int = 20_000) -> Table:
    """The header and rows of a CSV file (blank rows left out); FormatError (a ValueError) for a
    file that is not CSV text or is out of bounds."""
    if len(data) > MAX_BYTES:
        raise FormatError(TOO_BIG, max=MAX_BYTES // (1024 * 1024))
    text, encoding = decode_report(data)
    first = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    headers: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    start, cells = 1, 0
    try:
        for row in reader:
            line, start = start, reader.line_num + 1
            if len(row) > MAX_COLUMNS:
                raise FormatError(TOO_MANY_COLUMNS, max=MAX_COLUMNS)
            if any(len(cell) > MAX_FIELD for cell in row):
                raise FormatError(FIELD_TOO_LARGE, line=line, max=MAX_FIELD)
            if not any(cell.strip() for cell in row):
                continue
            if headers is None:
                headers = [cell.strip().lstrip("\ufeff") for cell in row]
                continue
            if len(rows) >= max_rows:
                raise FormatError(TOO_MANY_ROWS, max=max_rows)
            cells += len(row)
            if cells > MAX_CELLS:
                raise FormatError(TOO_MANY_CELLS, max=MAX_CELLS)
            rows.append(row)
            lines.append(line)
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise FormatError(FIELD_TOO_LARGE, line=start, max=MAX_FIELD) from error
        raise FormatError(BAD_CSV, line=start) from error
    if headers is None:
        raise FormatError(NO_HEADER)
    return Table(headers, rows, encoding, lines)


def guess_mapping(kind: PimKind, headers: list[str]) -> dict[int, str]:
    """Column index -> target for every column whose header Kizuna knows (English or Japanese
    Outlook, and common variants). A single-valued target takes its first column only."""
    aliases = ALIASES[kind]
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        target = aliases.get(key(header))
        if target is None or (target not in _LISTS and target in mapping.values()):
            continue
        mapping[index] = target
    return mapping


_MARKERS = {
    PimKind.CONTACTS: {"first_name", "last_name", "email", "account_name"},
    PimKind.TASKS: {"due_date", "status"},
    PimKind.EVENTS: {"start_time", "end_date", "end_time", "all_day", "attendees"},
}


def guess_kind(headers: list[str]) -> PimKind | None:
    """What a file holds, from its header: the kind that knows the most columns, among those
    with a column only that kind has (a name or address; a due date or status; an end or time)."""
    best, best_score = None, 0
    for kind, markers in _MARKERS.items():
        mapped = set(guess_mapping(kind, headers).values())
        if mapped & markers and len(mapped) > best_score:
            best, best_score = kind, len(mapped)
    return best


def _columns(mapping: dict[int, str], allowed) -> list[tuple[int, str]]:
    """The mapping as (column, target) in column order; a column given as digits (a form's
    value) is read as its number, anything else and unknown targets are left out."""
    found = []
    for index, target in mapping.items():
        if isinstance(index, str) and index.isdigit() and len(index) < 6:
            index = int(index)
        if isinstance(index, int) and 0 <= index < MAX_COLUMNS and target in allowed:
            found.append((index, target))
    return sorted(found)


def _gather(row: list[str], columns: list[tuple[int, str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for index, target in columns:
        cell = row[index].strip() if index < len(row) else ""
        if cell:
            found.setdefault(target, []).append(cell)
    return found


def preview(table: Table, mapping: dict[int, str], n: int = 5) -> list[dict[str, str]]:
    """The first `n` rows as the mapping reads them: target -> the raw text (several columns
    joined on new lines), for the user to check before importing."""
    columns = _columns(mapping, {t for targets in TARGETS.values() for t in targets})
    return [{target: "\n".join(cells) for target, cells in _gather(row, columns).items()}
            for row in table.rows[:max(n, 0)]]


# ---- rows to items ---------------------------------------------------------------------------

def items(kind: PimKind, table: Table, mapping: dict[int, str], *, tz: str = "Asia/Tokyo") -> list[Item]:
    """One item per row (Item.source "line N"); a value that cannot be read is a problem on its
    item, never an exception. Columns mapped to what `kind` has no target for are left out."""
    zone = v.zone(tz)
    columns = _columns(mapping, set(TARGETS[kind]))
    result = []
    for position, row in enumerate(table.rows):
        line = table.lines[position] if position < len(table.lines) else position + 2
        item = Item(kind, source=f"line {line}")
        cells = _gather(row, columns)
        item.categories = v.split_list(";".join(cells.pop("categories", [])), ";,")
        if kind is PimKind.CONTACTS:
            _contact(item, cells)
        elif kind is PimKind.TASKS:
            _task(item, cells)
        else:
            _event(item, cells, zone)
        result.append(item)
    return result


def _first(cells: dict[str, list[str]], name: str) -> str:
    return cells.get(name, [""])[0]


def _date(item: Item, name: str, raw: str) -> date | None:
    if not raw:
        return None
    try:
        return v.parse_date(raw)
    except ValueError:
        v.problem(item, name, v.BAD_DATE, raw)
        return None


def _contact(item: Item, cells: dict[str, list[str]]) -> None:
    for prefix in ("mailing", "other"):
        street = [*cells.pop(f"{prefix}_street", []), *cells.pop(f"{prefix}_street_2", []),
                  *cells.pop(f"{prefix}_street_3", [])]
        v.put_text(item, f"{prefix}_street", "\n".join(street))
    birthday = cells.pop("birthday", None)
    if birthday:
        v.put_date(item, "birthday", _date(item, "birthday", birthday[0]))
    for name, found in cells.items():
        v.put_text(item, name, found[0])


def _task(item: Item, cells: dict[str, list[str]]) -> None:
    v.put_text(item, "subject", _first(cells, "subject"))
    v.put_text(item, "description", _first(cells, "description"))
    for name in ("start_date", "due_date"):
        v.put_date(item, name, _date(item, name, _first(cells, name)))
    for name, table in (("priority", PRIORITY_IN), ("status", STATUS_IN)):
        raw = _first(cells, name)
        if raw:
            found = table.get(re.sub(r"\s+", " ", raw.strip().lower()))
            if found is None:
                v.problem(item, name, v.BAD_VALUE, raw)
            else:
                item.values[name] = found


def _event(item: Item, cells: dict[str, list[str]], zone) -> None:
    for name in ("subject", "location", "description"):
        v.put_text(item, name, _first(cells, name))
    seen: set[tuple[str, str]] = set()
    for raw in ";".join(cells.get("attendees", [])).split(";"):
        attendee = _attendee(raw)
        if attendee and (attendee.email.lower(), attendee.name) not in seen:
            seen.add((attendee.email.lower(), attendee.name))
            item.attendees.append(attendee)
    raw_all_day = _first(cells, "all_day")
    all_day = None
    if raw_all_day:
        try:
            all_day = v.parse_bool(raw_all_day)
        except ValueError:
            v.problem(item, "all_day", v.BAD_VALUE, raw_all_day)
            return
    start = _moment(item, cells, "start", zone)
    end = _moment(item, cells, "end", zone)
    if start is None:
        if not item.problems:
            v.problem(item, "start_at", v.MISSING_START)
        return
    start_day, start_time = start
    if all_day is None:
        all_day = start_time is None
    if all_day:
        first = start_day
        last = end[0] if end else first
        if last <= first:
            last = first + timedelta(days=1)
        item.values.update(start_at=v.midnight(first, zone), end_at=v.midnight(last, zone), all_day=True)
        return
    begins = datetime.combine(start_day, start_time or datetime.min.time(), tzinfo=zone)
    if end is None:
        ends = begins
    else:
        ends = datetime.combine(end[0], end[1] or datetime.min.time(), tzinfo=zone)
    item.values.update(start_at=begins, end_at=ends, all_day=False)


def _moment(item: Item, cells, which: str, zone):
    """(date, time or None) from <which>_at, or <which>_date with <which>_time; None when absent
    or unreadable (with a problem then)."""
    combined = _first(cells, f"{which}_at")
    day_raw, time_raw = _first(cells, f"{which}_date"), _first(cells, f"{which}_time")
    if combined and not day_raw:
        try:
            moment = datetime.fromisoformat(combined.strip())
        except ValueError:
            day_raw, _, rest = combined.strip().partition(" ")
            time_raw = time_raw or rest
        else:
            if moment.tzinfo is not None:
                moment = moment.astimezone(zone)
            day_raw, time_raw = moment.date().isoformat(), moment.time().isoformat()
    day = _date(item, f"{which}_at", day_raw)
    if day is None:
        return None
    if not v.MIN_DATE <= day <= v.MAX_DATE:
        v.problem(item, f"{which}_at", v.DATE_RANGE, day.isoformat())
        return None
    if not time_raw:
        return day, None
    try:
        return day, v.parse_time(time_raw)
    except ValueError:
        v.problem(item, f"{which}_at", v.BAD_TIME, time_raw)
        return None


_ADDRESS = re.compile(r'\s*"?(?P<name>[^"<]*?)"?\s*<(?P<email>[^<>\s]+@[^<>\s]+)>\s*')


def _attendee(raw: str) -> Attendee | None:
    raw = raw.strip()
    if not raw or not v.storable(raw):
        return None
    if m := _ADDRESS.fullmatch(raw):
        return Attendee(m.group("email"), m.group("name").strip())
    if "@" in raw and " " not in raw:
        return Attendee(raw.strip("<>"), "")
    return Attendee("", raw)


# ---- writing ---------------------------------------------------------------------------------

def write(kind: PimKind, items: list[Item], *, language: str = "en", tz: str = "Asia/Tokyo") -> bytes:
    """An Outlook CSV file of `items` (all of `kind`): Outlook's header in English or Japanese,
    UTF-8 with a BOM, CRLF line ends, every value quoted; event times in `tz`."""
    language = "ja" if language == "ja" else "en"
    zone = v.zone(tz)
    headers = HEADERS[kind][language]
    columns = WRITTEN[kind][language]
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(headers)
    for item in items:
        row = [""] * len(headers)
        for target, text in _cells(kind, item, language, zone).items():
            if target in columns and text:
                row[columns[target]] = text.replace("\n", "\r\n")  # Outlook's line ends
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _day(value: date, language: str) -> str:
    return f"{value.year}/{value.month}/{value.day}" if language == "ja" else f"{value.month}/{value.day}/{value.year}"


def _clock(value: datetime, language: str) -> str:
    if language == "ja":
        return f"{value.hour}:{value.minute:02d}:{value.second:02d}"
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d}:{value.second:02d} {'AM' if value.hour < 12 else 'PM'}"


def _cells(kind: PimKind, item: Item, language: str, zone) -> dict[str, str]:
    values = item.values
    cells: dict[str, str] = {}
    if item.categories:
        cells["categories"] = ";".join(item.categories)
    for name, value in values.items():
        if isinstance(value, str) and name not in ("priority", "status"):
            cells[name] = value
    if kind is PimKind.CONTACTS:
        if isinstance(values.get("birthday"), date):
            cells["birthday"] = _day(values["birthday"], language)
    elif kind is PimKind.TASKS:
        for name in ("start_date", "due_date"):
            if isinstance(values.get(name), date):
                cells[name] = _day(values[name], language)
        if values.get("priority"):
            cells["priority"] = PRIORITY_OUT[language][TaskPriority(values["priority"])]
        if values.get("status"):
            cells["status"] = STATUS_OUT[language][TaskStatus(values["status"])]
    else:
        _event_cells(item, language, zone, cells)
    return cells


def _event_cells(item: Item, language: str, zone, cells: dict[str, str]) -> None:
    values = item.values
    start, end = values.get("start_at"), values.get("end_at")
    if not isinstance(start, datetime):
        return
    end = end if isinstance(end, datetime) else start
    start, end = (m.astimezone(zone) if m.tzinfo else m.replace(tzinfo=zone) for m in (start, end))
    all_day = bool(values.get("all_day"))
    cells["all_day"] = "True" if all_day else "False"
    cells["start_date"], cells["start_time"] = _day(start.date(), language), _clock(start, language)
    cells["end_date"], cells["end_time"] = _day(end.date(), language), _clock(end, language)
    people = []
    for attendee in item.attendees:
        name = attendee.name.replace('"', "").replace(";", " ").strip()
        if attendee.email and name:
            people.append(f'"{name}" <{attendee.email}>')
        else:
            people.append(attendee.email or name)
    if people:
        cells["attendees"] = ";".join(people)
