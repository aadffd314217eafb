"""iCalendar (RFC 5545) to event and task items and back (seed 003's field mappings).

Reading: bytes are decoded by app.pim.text first (icalendar 7 would silently turn cp932 into
U+FFFD); app.pim.ical_lines then bounds the file and keeps each VEVENT's and VTODO's RRULE,
RDATE and EXDATE lines verbatim (with their TZID parameters) for Item.recurrence, in that order
(servers reorder them); icalendar parses the rest. An instance that overrides one occurrence of a
series (RECURRENCE-ID: a moved or changed meeting) is kept with its series: appended to the
series' Item.recurrence as its own component (BEGIN:VEVENT ... END:VEVENT), written back as such
with the series' UID, so a phone's moved occurrence survives the round trip through Kizuna. An
override whose series is not in the file is left out.

Times: a TZID is resolved by icalendar (the file's VTIMEZONE, an IANA name, or a Windows name such
as "Tokyo Standard Time" through CLDR's windowsZones table, which icalendar ships); a TZID it
cannot resolve is a problem on the item, never a guess. Floating times are read in `tz`; every
moment (UTC or zoned) comes out as an aware datetime in `tz`. Events always have
values["all_day"]: an all-day event (DATE values) has it True and start_at/end_at at midnight in
`tz` (DTEND exclusive; none given: one day); a timed one without DTEND ends at DTSTART +
DURATION (or at its start). Task dates (DUE, DTSTART) are dates: a DATE-TIME is the local date in
`tz`. Attendees: ATTENDEE mailto: addresses (or an EMAIL parameter) with CN as the name (a CN that
is the address itself is no name); others, such as rooms named by URN, are left out.

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
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar

from app.i18n import N_
from app.models import PimKind, TaskPriority, TaskStatus
from app.pim import values as v
from app.pim.items import Attendee, Item
from app.pim.ical_lines import MAX_COMPONENTS, RECURRENCE_NAMES, Scanned, scan
from app.pim.text import FormatError, decode

__all__ = ["MAX_BYTES", "MAX_COMPONENTS", "PRODID", "dumps", "loads"]

MAX_BYTES = 20 * 1024 * 1024

TOO_BIG = N_("The file is too large (at most %(max)s MB).")
BROKEN = N_("The calendar cannot be read.")

_ORDER = {name: i for i, name in enumerate(RECURRENCE_NAMES)}
_RECURRENCE_LINE = re.compile(r"(RRULE|EXDATE|RDATE)[;:][^\r\n]*", re.I)
_OVERRIDE = re.compile(r"^BEGIN:(VEVENT|VTODO)\n.*?^END:\1$", re.M | re.S)
_TZID = re.compile(r';TZID=("[^"]*"|[^;:]*)', re.I)
PRODID = "-//Kizuna//Kizuna PIM//EN"


# ---- reading ---------------------------------------------------------------------------------

def loads(data: bytes | str, *, tz: str = "Asia/Tokyo") -> list[Item]:
    """Every VEVENT (an event item) and VTODO (a task item) in `data`, in order; Item.source is
    "line N" where the component begins. FormatError (a ValueError) when the file cannot be read."""
    if len(data) > MAX_BYTES:
        raise FormatError(TOO_BIG, max=MAX_BYTES // (1024 * 1024))
    text = decode(bytes(data)) if isinstance(data, (bytes, bytearray, memoryview)) else data.lstrip("\ufeff")
    zone = v.zone(tz)
    scanned = scan(text)
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
        components = [c for cal in calendars for c in cal.subcomponents if c.name in ("VEVENT", "VTODO")]
    except Exception as error:  # noqa: BLE001 - icalendar raises many types for broken input
        raise FormatError(BROKEN) from error
    if len(components) != len(scanned):
        raise FormatError(BROKEN)
    items = []
    series: dict[str, Item] = {}
    overrides = []
    for component, found in zip(components, scanned):
        if "RECURRENCE-ID" in component:
            overrides.append(component)
            continue
        item = _item(component, found, zone)
        items.append(item)
        series.setdefault(_str(component, "UID"), item)
    for component in overrides:
        item = series.get(_str(component, "UID"))
        if item is not None and _str(component, "UID"):
            block = _override_text(component)
            item.recurrence = f"{item.recurrence}\n{block}" if item.recurrence else block
    return items


def _override_text(component) -> str:
    """An override as its own lines (unfolded lines joined by newlines: one text per override),
    without its DTSTAMP (when it was written, not what it says: written anew each time) and its UID
    (the series', given again when written)."""
    return "\n".join(line for line in component.to_ical().decode("utf-8").replace("\r\n ", "").replace(
        "\r\n\t", "").split("\r\n") if line and not line.upper().startswith(("DTSTAMP:", "DTSTAMP;", "UID:", "UID;")))


def _item(component, found: Scanned, zone: ZoneInfo) -> Item:
    kind = PimKind.EVENTS if component.name == "VEVENT" else PimKind.TASKS
    # RRULE, RDATE, EXDATE in that order (each as the file has them): servers reorder lines.
    lines = sorted(found.recurrence, key=lambda line: _ORDER[re.split("[;:]", line, maxsplit=1)[0].upper()])
    item = Item(kind, source=f"line {found.line}", recurrence="\n".join(lines))
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
    lines = categories if isinstance(categories, list) else [categories] if categories else []
    item.categories = v.split_list(",".join(str(name) for line in lines for name in getattr(line, "cats", [])), ",")
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
    if isinstance(value, date) and not v.MIN_DATE <= _plain_date(value) <= v.MAX_DATE:
        v.problem(item, field_name, v.DATE_RANGE, _plain_date(value).isoformat())
        return None
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
        if end > v.MAX_DATE:
            v.problem(item, "end_at", v.DATE_RANGE, end.isoformat())
            return
        item.values.update(start_at=v.midnight(start, zone), end_at=v.midnight(end, zone), all_day=True)
    attendees = component.get("ATTENDEE")
    seen: set[str] = set()
    for attendee in attendees if isinstance(attendees, list) else [attendees] if attendees else []:
        address = str(attendee).strip()
        params = getattr(attendee, "params", {})
        if address.lower().startswith("mailto:"):
            address = address[7:].strip()
        elif params.get("EMAIL"):
            address = str(params["EMAIL"]).strip()
        else:
            continue
        if address and v.storable(address) and address.lower() not in seen:
            seen.add(address.lower())
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
_OWN_STATUSES = {status.value for status in TaskStatus}


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
        if own in _OWN_STATUSES and STATUS_OUT[TaskStatus(own)] == raw_status:
            status = TaskStatus(own)
        item.values["status"] = status


# ---- writing ---------------------------------------------------------------------------------

def dumps(items: list[Item], *, tz: str = "Asia/Tokyo", stamp: datetime | None = None) -> str:
    """One VCALENDAR with an event (VEVENT) or a task (VTODO) per item, the VTIMEZONEs its times
    need, PRODID Kizuna. An item without a UID gets a new one. DTSTAMP is `stamp` (default: now);
    pass the record's last change to get the same text, and so the same ETag, until it changes."""
    zone = v.zone(tz)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    stamp = (stamp or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    recurrences: dict[int, str] = {}
    for index, item in enumerate(items):
        if item.kind is PimKind.CONTACTS:
            raise ValueError("contacts are written as vCards")
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
        overrides = [m.group(0) for m in _OVERRIDE.finditer(item.recurrence)]
        rest = _OVERRIDE.sub("", item.recurrence)
        lines = [line for line in rest.splitlines() if _RECURRENCE_LINE.fullmatch(line.strip())]
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
        if lines:
            for block in overrides:
                if (found := _override(block, component, stamp)) is not None:
                    calendar.add_component(found)
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


def _override(block: str, series, stamp: datetime) -> icalendar.Component | None:
    """A kept override, checked again (it is data: only one component of the series' own kind,
    with a RECURRENCE-ID), with the series' UID, no organizer, and attendees nobody schedules for."""
    try:
        found = icalendar.Component.from_ical(block.replace("\n", "\r\n") + "\r\n")
    except Exception:  # noqa: BLE001 - stored text a later icalendar reads otherwise: left out
        return None
    if found.name != series.name or "RECURRENCE-ID" not in found or any(
            c.name != "VALARM" for c in found.subcomponents):
        return None
    found.pop("UID", None)
    found.add("uid", series["UID"])
    found.pop("ORGANIZER", None)
    found.pop("METHOD", None)
    if "DTSTAMP" not in found:
        found.add("dtstamp", stamp)
    attendees = found.get("ATTENDEE")
    for attendee in attendees if isinstance(attendees, list) else [attendees] if attendees is not None else []:
        attendee.params.pop("RSVP", None)
        attendee.params["SCHEDULE-AGENT"] = "NONE"
    return found


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
