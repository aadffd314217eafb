"""iCalendar (RFC 5545) to event and task items and back (seed 003's field mappings).

Reading: bytes are decoded by app.pim.text first (icalendar 7 would silently turn cp932 into
U+FFFD); a light scan of the unfolded lines then bounds the file (components, nesting, lines per
component) before icalendar parses it, and keeps each VEVENT's and VTODO's RRULE, EXDATE and
RDATE lines verbatim (with their TZID parameters) for Item.recurrence. Instances that override
one occurrence of a series (RECURRENCE-ID) are left out: Kizuna keeps the series, not its
exceptions.

Times: a TZID is resolved by icalendar (the file's VTIMEZONE, an IANA name, or a Windows name such
as "Tokyo Standard Time" through CLDR's windowsZones table, which icalendar ships); a TZID it
cannot resolve is a problem on the item, never a guess. Floating times are read in `tz`, UTC
stays UTC; every moment comes out as an aware datetime in `tz`. An all-day event (DATE values)
has values["all_day"] = True and start_at/end_at at midnight in `tz` (DTEND exclusive; none
given: one day). Task dates (DUE, DTSTART) are dates: a DATE-TIME is the local date in `tz`.

Tasks: PRIORITY 1-2 highest, 3-4 high, 5 normal, 6-7 low, 8-9 lowest, 0 (undefined) normal;
written as 1, 3, 5, 7, 9. STATUS NEEDS-ACTION -> not_started, IN-PROCESS -> in_progress,
COMPLETED -> completed, CANCELLED -> deferred (Kizuna has no cancelled state: the task is put
aside, not done). iCalendar has no waiting or deferred, so Kizuna writes them as IN-PROCESS and
NEEDS-ACTION with X-KIZUNA-STATUS naming its own status, which is read back only while STATUS
still says what Kizuna wrote (a client that completes the task wins).

Writing never makes an invitation: no METHOD, no ORGANIZER, attendees without RSVP and with
SCHEDULE-AGENT=NONE (RFC 6638: no server schedules for them).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar

from app.i18n import N_
from app.models import PimKind, TaskPriority, TaskStatus
from app.pim import values as v
from app.pim.items import Attendee, Item
from app.pim.text import FormatError, decode

MAX_BYTES = 20 * 1024 * 1024
MAX_COMPONENTS = 20_000  # events and tasks in one file
MAX_DEPTH = 4  # VCALENDAR > VEVENT > VALARM, VCALENDAR > VTIMEZONE > STANDARD
MAX_LINES = 5_000  # in one component (a large meeting has a few hundred attendees)

NOT_ICAL = N_("The file holds no calendar (BEGIN:VCALENDAR is missing).")
TOO_BIG = N_("The file is too large (at most %(max)s MB).")
TOO_MANY = N_("The file holds too many events and tasks (at most %(max)d).")
TOO_DEEP = N_("Components are nested too deeply at line %(line)d.")
TOO_LONG = N_("An event or task has too many lines (at most %(max)d), at line %(line)d.")
UNBALANCED = N_("The calendar is broken at line %(line)d (BEGIN and END do not match).")
BROKEN = N_("The calendar cannot be read.")

RECURRENCE_NAMES = ("RRULE", "RDATE", "EXDATE")
_ORDER = {name: i for i, name in enumerate(RECURRENCE_NAMES)}
_RECURRENCE_LINE = re.compile(r"(RRULE|EXDATE|RDATE)[;:][^\r\n]*", re.I)
_TZID = re.compile(r';TZID=("[^"]*"|[^;:]*)', re.I)
PRODID = "-//Kizuna//Kizuna PIM//EN"


# ---- scan ------------------------------------------------------------------------------------

@dataclass
class _Scanned:
    name: str
    line: int
    recurrence: list[str] = field(default_factory=list)


def _unfold(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        if raw[:1] in (" ", "\t") and out:
            start, previous = out[-1]
            out[-1] = (start, previous + raw[1:])
        elif raw.strip():
            out.append((number, raw))
    return out


def _scan(text: str) -> list[_Scanned]:
    """The VEVENTs and VTODOs of every VCALENDAR, in order, with their recurrence lines; a
    FormatError for a file out of bounds or whose BEGIN/END do not nest."""
    stack: list[str] = []
    found: list[_Scanned] = []
    lines_in: list[int] = []
    current: _Scanned | None = None
    calendars = 0
    for number, line in _unfold(text):
        head, _, value = line.partition(":")
        name = head.split(";", 1)[0].strip().upper()
        if name == "BEGIN":
            kind = value.strip().upper()
            stack.append(kind)
            lines_in.append(0)
            if len(stack) > MAX_DEPTH:
                raise FormatError(TOO_DEEP, line=number)
            if len(stack) == 1:
                if kind != "VCALENDAR":
                    raise FormatError(NOT_ICAL)
                calendars += 1
            if len(stack) == 2 and kind in ("VEVENT", "VTODO"):
                if len(found) >= MAX_COMPONENTS:
                    raise FormatError(TOO_MANY, max=MAX_COMPONENTS)
                current = _Scanned(kind, number)
                found.append(current)
            continue
        if name == "END":
            if not stack or stack[-1] != value.strip().upper():
                raise FormatError(UNBALANCED, line=number)
            stack.pop()
            lines_in.pop()
            if len(stack) < 2:
                current = None
            continue
        if not stack:
            continue
        lines_in[-1] += 1
        if lines_in[-1] > MAX_LINES:
            raise FormatError(TOO_LONG, line=number, max=MAX_LINES)
        if current is not None and len(stack) == 2 and name in RECURRENCE_NAMES:
            current.recurrence.append(line)
    if stack:
        raise FormatError(UNBALANCED, line=len(text.splitlines()))
    if not calendars:
        raise FormatError(NOT_ICAL)
    return found


# ---- reading ---------------------------------------------------------------------------------

def loads(data: bytes | str, *, tz: str = "Asia/Tokyo") -> list[Item]:
    """Every VEVENT (an event item) and VTODO (a task item) in `data`, in order; Item.source is
    "line N" where the component begins. FormatError (a ValueError) when the file cannot be read."""
    if len(data) > MAX_BYTES:
        raise FormatError(TOO_BIG, max=MAX_BYTES // (1024 * 1024))
    text = decode(bytes(data)) if isinstance(data, (bytes, bytearray, memoryview)) else data
    zone = v.zone(tz)
    scanned = _scan(text)
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
        components = [c for cal in calendars for c in cal.subcomponents if c.name in ("VEVENT", "VTODO")]
    except Exception as error:  # noqa: BLE001 - icalendar raises many types for broken input
        raise FormatError(BROKEN) from error
    if len(components) != len(scanned):
        raise FormatError(BROKEN)
    items = []
    for component, scan in zip(components, scanned):
        if "RECURRENCE-ID" in component:
            continue
        items.append(_item(component, scan, zone))
    return items


def _item(component, scan: _Scanned, zone: ZoneInfo) -> Item:
    kind = PimKind.EVENTS if component.name == "VEVENT" else PimKind.TASKS
    # RRULE, RDATE, EXDATE in that order (each as the file has them): servers reorder lines.
    lines = sorted(scan.recurrence, key=lambda line: _ORDER[re.split("[;:]", line, maxsplit=1)[0].upper()])
    item = Item(kind, source=f"line {scan.line}", recurrence="\n".join(lines))
    try:
        _read(component, item, zone)
    except Exception:  # noqa: BLE001 - a property icalendar could not make sense of
        v.problem(item, "", BROKEN)
    return item


def _str(component, name: str) -> str:
    value = component.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0]
    return str(value)


def _read(component, item: Item, zone: ZoneInfo) -> None:
    item.uid = _str(component, "UID").strip()
    v.put_text(item, "subject", _str(component, "SUMMARY"))
    v.put_text(item, "description", _str(component, "DESCRIPTION"))
    categories = component.get("CATEGORIES")
    for line in categories if isinstance(categories, list) else [categories] if categories else []:
        for name in getattr(line, "cats", []):
            for part in v.split_list(str(name), ","):
                if part not in item.categories:
                    item.categories.append(part)
    if item.kind is PimKind.EVENTS:
        _event(component, item, zone)
    else:
        _task(component, item, zone)


def _moment(component, name: str, item: Item, field_name: str, zone: ZoneInfo) -> date | datetime | None:
    """A DATE or an aware DATE-TIME in `zone`; None (with a problem when there was a value)."""
    prop = component.get(name)
    if prop is None:
        return None
    if isinstance(prop, list):
        prop = prop[0]
    value = _dt(prop)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            tzid = getattr(prop, "params", {}).get("TZID")
            if tzid:
                v.problem(item, field_name, v.UNKNOWN_ZONE, tzid)
                return None
            value = value.replace(tzinfo=zone)
        return value.astimezone(zone)
    if isinstance(value, date):
        return value
    raw = prop.to_ical().decode("utf-8", "replace") if hasattr(prop, "to_ical") else str(prop)
    v.problem(item, field_name, v.BAD_DATE, raw)
    return None


def _dt(prop):
    """The value of a date, time or duration property; None when icalendar could not read it
    (icalendar 7 keeps such a property as vBroken, whose .dt raises)."""
    try:
        return getattr(prop, "dt", None)
    except Exception:  # noqa: BLE001 - BrokenCalendarProperty and whatever a parser raises
        return None


def _event(component, item: Item, zone: ZoneInfo) -> None:
    v.put_text(item, "location", _str(component, "LOCATION"))
    start = _moment(component, "DTSTART", item, "start_at", zone)
    end = _moment(component, "DTEND", item, "end_at", zone)
    duration = _dt(component.get("DURATION"))
    if start is None:
        if not any(p.field == "start_at" for p in item.problems):
            v.problem(item, "start_at", v.MISSING_START)
    elif isinstance(start, datetime):
        if isinstance(end, date) and not isinstance(end, datetime):
            end = v.midnight(end, zone)
        if end is None:
            end = start + duration if isinstance(duration, timedelta) else start
        item.values.update(start_at=start, end_at=end, all_day=False)
    else:
        if isinstance(end, datetime):
            end = end.date()
        if end is None or end <= start:
            length = duration.days if isinstance(duration, timedelta) and duration.days > 0 else 1
            end = start + timedelta(days=length)
        for name, day in (("start_at", start), ("end_at", end)):
            if not v.MIN_DATE <= day <= v.MAX_DATE:
                v.problem(item, name, v.DATE_RANGE, day.isoformat())
                return
        item.values.update(start_at=v.midnight(start, zone), end_at=v.midnight(end, zone), all_day=True)
    attendees = component.get("ATTENDEE")
    for attendee in attendees if isinstance(attendees, list) else [attendees] if attendees else []:
        address = str(attendee).strip()
        params = getattr(attendee, "params", {})
        if address.lower().startswith("mailto:"):
            address = address[7:].strip()
        elif params.get("EMAIL"):
            address = str(params["EMAIL"]).strip()
        else:
            continue
        if address and v.storable(address) and all(a.email.lower() != address.lower() for a in item.attendees):
            name = str(params.get("CN", "")).strip()
            if not v.storable(name) or name.lower() == address.lower():
                name = ""  # Outlook puts the address in CN when it knows no name
            item.attendees.append(Attendee(address, name))


_PRIORITIES = {**dict.fromkeys((1, 2), TaskPriority.HIGHEST), **dict.fromkeys((3, 4), TaskPriority.HIGH),
               0: TaskPriority.NORMAL, 5: TaskPriority.NORMAL,
               **dict.fromkeys((6, 7), TaskPriority.LOW), **dict.fromkeys((8, 9), TaskPriority.LOWEST)}
PRIORITY_OUT = {TaskPriority.HIGHEST: 1, TaskPriority.HIGH: 3, TaskPriority.NORMAL: 5,
                TaskPriority.LOW: 7, TaskPriority.LOWEST: 9}
_STATUSES = {"NEEDS-ACTION": TaskStatus.NOT_STARTED, "IN-PROCESS": TaskStatus.IN_PROGRESS,
             "COMPLETED": TaskStatus.COMPLETED, "CANCELLED": TaskStatus.DEFERRED}
STATUS_OUT = {TaskStatus.NOT_STARTED: "NEEDS-ACTION", TaskStatus.IN_PROGRESS: "IN-PROCESS",
              TaskStatus.COMPLETED: "COMPLETED", TaskStatus.WAITING: "IN-PROCESS",
              TaskStatus.DEFERRED: "NEEDS-ACTION"}
_OWN_STATUS = "X-KIZUNA-STATUS"


def _task(component, item: Item, zone: ZoneInfo) -> None:
    for name, field_name in (("DUE", "due_date"), ("DTSTART", "start_date")):
        value = _moment(component, name, item, field_name, zone)
        if value is not None:
            v.put_date(item, field_name, value)
    raw_priority = _str(component, "PRIORITY").strip()
    if raw_priority:
        try:
            item.values["priority"] = _PRIORITIES[int(raw_priority)]
        except (ValueError, KeyError):
            v.problem(item, "priority", v.BAD_VALUE, raw_priority)
    raw_status = _str(component, "STATUS").strip().upper()
    if raw_status:
        status = _STATUSES.get(raw_status)
        if status is None:
            v.problem(item, "status", v.BAD_VALUE, raw_status)
            return
        own = _str(component, _OWN_STATUS).strip().lower()
        if own in TaskStatus._value2member_map_ and STATUS_OUT[TaskStatus(own)] == raw_status:
            status = TaskStatus(own)
        item.values["status"] = status


# ---- writing ---------------------------------------------------------------------------------

def dumps(items: list[Item], *, tz: str = "Asia/Tokyo") -> str:
    """One VCALENDAR with an event (VEVENT) or a task (VTODO) per item, the VTIMEZONEs its times
    need, PRODID Kizuna. An item without a UID gets a new one."""
    zone = v.zone(tz)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    stamp = datetime.now(timezone.utc).replace(microsecond=0)
    recurrences: dict[int, str] = {}
    for index, item in enumerate(items):
        component = icalendar.Event() if item.kind is PimKind.EVENTS else icalendar.Todo()
        component.add("uid", item.uid or f"kizuna-{uuid.uuid4()}")
        component.add("dtstamp", stamp)
        values = item.values
        if values.get("subject"):
            component.add("summary", values["subject"])
        if item.kind is PimKind.EVENTS:
            _write_event(component, item, zone)
        else:
            _write_task(component, item)
        if values.get("description"):
            component.add("description", values["description"])
        if item.categories:
            component.add("categories", list(item.categories))
        lines = [line for line in item.recurrence.splitlines() if _RECURRENCE_LINE.fullmatch(line.strip())]
        if lines:
            recurrences[index] = "".join(_fold(line.strip()) for line in lines)
            # A placeholder per time zone the lines name, so that their VTIMEZONEs are added.
            tzids = {m.group(1).strip('"') for line in lines for m in _TZID.finditer(line)} or {""}
            for tzid in sorted(tzids):
                placeholder = icalendar.vText(str(index))
                if tzid:
                    placeholder.params["TZID"] = tzid
                component.add(f"X-KIZUNA-R{index}", placeholder, encode=False)
        calendar.add_component(component)
    calendar.add_missing_timezones()
    text = calendar.to_ical().decode("utf-8")
    if recurrences:
        done: set[int] = set()

        def swap(match: re.Match) -> str:
            index = int(match.group(1))
            if index in done:
                return ""
            done.add(index)
            return recurrences[index]

        text = re.sub(r"^X-KIZUNA-R(\d+)(?:[^\r\n]|\r\n[ \t])*\r\n", swap, text, flags=re.M)
    return text


def _write_event(component, item: Item, zone: ZoneInfo) -> None:
    values = item.values
    start, end = values.get("start_at"), values.get("end_at")
    if values.get("location"):
        component.add("location", values["location"])
    if isinstance(start, datetime):
        start = start.astimezone(zone) if start.tzinfo else start.replace(tzinfo=zone)
        end = (end.astimezone(zone) if end.tzinfo else end.replace(tzinfo=zone)) if isinstance(end, datetime) else start
        if values.get("all_day"):
            first = start.date()
            last = end.date() if end.date() > first else first + timedelta(days=1)
            component.add("dtstart", first)
            component.add("dtend", last)
        else:
            component.add("dtstart", start)
            component.add("dtend", max(end, start))
    for attendee in item.attendees:
        if not attendee.email:
            continue  # a name alone (from an Outlook CSV) is no calendar address
        address = icalendar.vCalAddress(f"mailto:{attendee.email}")
        if attendee.name:
            address.params["CN"] = attendee.name
        address.params["SCHEDULE-AGENT"] = "NONE"
        component.add("attendee", address, encode=False)


def _write_task(component, item: Item) -> None:
    values = item.values
    if isinstance(values.get("start_date"), date):
        component.add("dtstart", _plain_date(values["start_date"]))
    if isinstance(values.get("due_date"), date):
        component.add("due", _plain_date(values["due_date"]))
    if values.get("priority"):
        component.add("priority", PRIORITY_OUT[TaskPriority(values["priority"])])
    if values.get("status"):
        status = TaskStatus(values["status"])
        component.add("status", STATUS_OUT[status])
        if status in (TaskStatus.WAITING, TaskStatus.DEFERRED):
            component.add(_OWN_STATUS, status.value)


def _plain_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _fold(line: str) -> str:
    """One content line folded at 75 octets (RFC 5545 3.1), never inside a character."""
    out, current, size = [], [], 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > 75:
            out.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += width
    out.append("".join(current))
    return "\r\n".join(out) + "\r\n"
