"""A first pass over iCalendar text, before icalendar parses it (app.pim.ical reads through this).

It bounds the file (events and tasks, nesting, lines in one component) so that a hostile file is
refused with a message before any parser works on it, checks that BEGIN and END nest, and keeps
each VEVENT's and VTODO's RRULE, RDATE and EXDATE lines exactly as written (with their TZID
parameters): Kizuna stores them verbatim and writes them back verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.i18n import N_
from app.pim.text import FormatError

MAX_COMPONENTS = 20_000  # events and tasks in one file
MAX_DEPTH = 4  # VCALENDAR > VEVENT > VALARM, VCALENDAR > VTIMEZONE > STANDARD
MAX_LINES = 5_000  # in one component (a large meeting has a few hundred attendees)

NOT_ICAL = N_("The file holds no calendar (BEGIN:VCALENDAR is missing).")
TOO_MANY = N_("The file holds too many events and tasks (at most %(max)d).")
TOO_DEEP = N_("Components are nested too deeply at line %(line)d.")
TOO_LONG = N_("An event or task has too many lines (at most %(max)d), at line %(line)d.")
UNBALANCED = N_("The calendar is broken at line %(line)d (BEGIN and END do not match).")

RECURRENCE_NAMES = ("RRULE", "RDATE", "EXDATE")


@dataclass
class Scanned:
    name: str
    line: int
    recurrence: list[str] = field(default_factory=list)


def unfold(text: str) -> list[tuple[int, str]]:
    """Content lines (RFC 5545 folding undone) with the line number each begins on. Parts are
    joined once at the end: a hostile file folds one line millions of times."""
    out: list[tuple[int, list[str]]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        if raw[:1] in (" ", "\t") and out:
            out[-1][1].append(raw[1:])
        elif raw.strip():
            out.append((number, [raw]))
    return [(number, "".join(parts)) for number, parts in out]


def scan(text: str) -> list[Scanned]:
    """The VEVENTs and VTODOs of every VCALENDAR, in order, with their recurrence lines; a
    FormatError for a file out of bounds or whose BEGIN/END do not nest."""
    stack: list[str] = []
    found: list[Scanned] = []
    lines_in: list[int] = []
    current: Scanned | None = None
    calendars = 0
    for number, line in unfold(text):
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
                current = Scanned(kind, number)
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
