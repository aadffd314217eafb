"""The calendar: the days a month, week or day view shows (weeks starting as the user's locale
starts them), the events and tasks that fall on each of those days on the user's clock, and moving
an event (its start and end shifted together, saved through the event service).

Visibility stays with the services: events come from `events.query(principal)` and tasks from
`tasks.query(principal)`, so the calendar never shows what the lists would not. One query for the
events and one for the tasks of a range, whatever their number; a range holds at most
`MAX_EVENTS` events (the rest are counted, not loaded).

Events are stored in UTC; a day is the user's day: an event shows on every local day it touches,
its end excluded (an event ending at midnight, as an all-day one does, does not reach the next
day). A zero-length event shows on its start day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from babel.core import UnknownLocaleError, get_global

from app import cleaning
from app.errors import ValidationError
from app.i18n import N_
from app.models import Event, Task
from app.permissions import Principal
from app.services.activities import events, tasks

VIEWS = ("month", "week", "day")
MAX_EVENTS = 500
MAX_TASKS = 500
# Far enough from the calendar's ends that a month grid around the day stays inside them.
FIRST_DAY = cleaning.MIN_DATE + timedelta(days=45)
LAST_DAY = cleaning.MAX_DATE - timedelta(days=45)
_TICK = timedelta(microseconds=1)


def first_weekday(lang: str) -> int:
    """The first day of the week where `lang` is spoken (0 Monday ... 6 Sunday), as CLDR says:
    a bare language (ja, en) is read with its likely territory (JP, US)."""
    try:
        locale = Locale.parse(lang)
        if locale.territory is None:
            likely = get_global("likely_subtags").get(locale.language)
            if likely:
                locale = Locale.parse(likely)
        return locale.first_week_day
    except (UnknownLocaleError, ValueError, TypeError):
        return 0


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    first = date(year, month + 1, 1)
    following = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return first.replace(day=min(day.day, (following - first).days))


@dataclass(frozen=True)
class Range:
    """The days a view shows (`first` to `last`, both included) around `anchor`, the day asked for."""

    view: str
    anchor: date
    first: date
    last: date

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    @property
    def weeks(self) -> list[list[date]]:
        days = self.days
        return [days[i:i + 7] for i in range(0, len(days), 7)]

    @property
    def previous(self) -> date:
        return self._step(-1)

    @property
    def next(self) -> date:
        return self._step(1)

    def _step(self, sign: int) -> date:
        if self.view == "month":
            moved = _add_months(self.anchor, sign)
        else:
            moved = self.anchor + timedelta(days=sign * (7 if self.view == "week" else 1))
        return min(max(moved, FIRST_DAY), LAST_DAY)

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The range as moments: from the first day's midnight to the midnight after the last."""
        return (datetime.combine(self.first, time(0), zone),
                datetime.combine(self.last + timedelta(days=1), time(0), zone))


def parse_view(value: str | None) -> str:
    return value if value in VIEWS else "month"


def parse_day(value: str | None, today: date) -> date:
    """The day asked for; anything else (malformed, out of range) is today."""
    try:
        day = cleaning.day(value) if value else today
    except cleaning.Unclean:
        day = today
    return min(max(day, FIRST_DAY), LAST_DAY)


def date_range(view: str, anchor: date, week_start: int) -> Range:
    view = parse_view(view)
    anchor = min(max(anchor, FIRST_DAY), LAST_DAY)
    if view == "day":
        return Range(view, anchor, anchor, anchor)
    if view == "week":
        first = anchor - timedelta(days=(anchor.weekday() - week_start) % 7)
        return Range(view, anchor, first, first + timedelta(days=6))
    month_first = anchor.replace(day=1)
    month_last = _add_months(month_first, 1) - timedelta(days=1)
    first = month_first - timedelta(days=(month_first.weekday() - week_start) % 7)
    last = month_last + timedelta(days=(week_start - 1 - month_last.weekday()) % 7)
    return Range(view, anchor, first, last)


# ---- what falls on each day ----------------------------------------------------------------------


@dataclass
class Entry:
    """An event on one day: `banner` when it is shown across the day rather than at an hour (an
    all-day event, or a timed one going on since an earlier day)."""

    event: Event
    start: datetime  # on the user's clock
    end: datetime
    starts_today: bool
    banner: bool

    @property
    def hour(self) -> int:
        return self.start.hour


@dataclass
class Day:
    day: date
    entries: list[Entry] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)

    @property
    def banners(self) -> list[Entry]:
        return [e for e in self.entries if e.banner]

    def at(self, hour: int) -> list[Entry]:
        return [e for e in self.entries if not e.banner and e.hour == hour]


@dataclass
class Calendar:
    range: Range
    days: list[Day]
    more_events: int  # events in the range beyond MAX_EVENTS, not shown

    def day(self, day: date) -> Day:
        return self.days[(day - self.range.first).days]


def local_days(event: Event, zone: ZoneInfo) -> tuple[datetime, datetime, date, date]:
    """(start, end on the user's clock, first day, last day the event touches)."""
    start, end = event.start_at.astimezone(zone), event.end_at.astimezone(zone)
    last = (end - _TICK).date() if end > start else start.date()
    return start, end, start.date(), max(last, start.date())


def group(rng: Range, found_events: list[Event], found_tasks: list[Task], zone: ZoneInfo) -> list[Day]:
    days = [Day(d) for d in rng.days]
    for event in found_events:
        start, end, first, last = local_days(event, zone)
        day = max(first, rng.first)
        while day <= min(last, rng.last):
            starts = day == first
            days[(day - rng.first).days].entries.append(
                Entry(event, start, end, starts, banner=event.all_day or not starts))
            day += timedelta(days=1)
    for d in days:  # across the day first, then by start
        d.entries.sort(key=lambda e: (not e.banner, e.start, e.event.id))
    for task in found_tasks:
        if task.due_date is not None and rng.first <= task.due_date <= rng.last:
            days[(task.due_date - rng.first).days].tasks.append(task)
    return days


def owner_scope(queryset, owner_id: int | None):
    return queryset if owner_id is None else queryset.filter(owner_id=owner_id)


def events_in(principal: Principal, rng: Range, zone: ZoneInfo, owner_id: int | None = None):
    """The events the principal may see touching the range. Compared in UTC, as stored (SQLite
    compares the stored text); one ending exactly at the range's start is left out by `group`."""
    start, end = (moment.astimezone(UTC) for moment in rng.bounds(zone))
    qs = owner_scope(events.query(principal), owner_id)
    return qs.filter(start_at__lt=end, end_at__gte=start).order_by("start_at", "id")


async def load(
    principal: Principal, rng: Range, zone: ZoneInfo, owner_id: int | None = None,
    with_tasks: bool = True,
) -> Calendar:
    """The range's days with their events and (if the user may see tasks) the tasks due on them."""
    found = await events_in(principal, rng, zone, owner_id).limit(MAX_EVENTS + 1)
    more = 0
    if len(found) > MAX_EVENTS:
        more = await events_in(principal, rng, zone, owner_id).count() - MAX_EVENTS
        found = found[:MAX_EVENTS]
    due: list[Task] = []
    if with_tasks:
        qs = owner_scope(tasks.query(principal), owner_id)
        due = await qs.filter(due_date__gte=rng.first, due_date__lte=rng.last).order_by(
            "due_date", "id").limit(MAX_TASKS)
    return Calendar(rng, group(rng, found, due, zone), more)


# ---- moving an event -------------------------------------------------------------------------------


async def move(
    principal: Principal, event_id: int | str, zone: ZoneInfo, *, day: date | None = None,
    picked: date | None = None, start: datetime | None = None,
) -> Event:
    """Move an event to another day, its time of day kept, or to another start (`start`, naive:
    the user's clock), keeping its duration; saved by the event service's update, so its
    permissions and validation decide. An all-day event stays all day: only its days change.

    `picked` is the day the event was taken from when it spans several: dropped on `day`, it moves
    by as many days as lie between them (its second day dropped on a Friday starts on Thursday)."""
    event = await events.get(principal, event_id)
    if start is not None and start.tzinfo is None:
        start = start.replace(tzinfo=zone)
    if day is None and start is None:
        return event
    try:
        if day is not None and picked is not None:
            day = event.start_at.astimezone(zone).date() + (day - picked)
        start_at, end_at = _moved(event, zone, day, start)
    except OverflowError:  # beyond the calendar's last (or before its first) day
        raise ValidationError.single("end_at", N_("Enter a date from %(min)s to %(max)s."), min=cleaning.MIN_DATE.isoformat(),
                                     max=cleaning.MAX_DATE.isoformat()) from None
    return await events.update(principal, event.id, {"start_at": start_at, "end_at": end_at})


def _moved(event: Event, zone: ZoneInfo, day: date | None, start: datetime | None) -> tuple[datetime, datetime]:
    local_start, local_end = event.start_at.astimezone(zone), event.end_at.astimezone(zone)
    if event.all_day or start is None:
        target = day if day is not None else start.astimezone(zone).date()
        shift = target - local_start.date()
        if event.all_day:  # whole days on the wall clock, whatever the zone's offsets do
            new_start = datetime.combine(local_start.date() + shift, local_start.time(), zone)
            new_end = datetime.combine(local_end.date() + shift, local_end.time(), zone)
            return new_start, new_end
        start = datetime.combine(target, local_start.time(), zone)
    duration = event.end_at - event.start_at
    return start, (start.astimezone(UTC) + duration).astimezone(zone)
