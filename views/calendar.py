"""The calendar pages: a face of app.services.calendar (what falls on each day) and of the event
service (a drop saves through `events.update`, with its permissions and validation).

    GET  /calendar?view=month|week|day&date=YYYY-MM-DD&owner=|mine|<user id>
                        the page (`#calendar` fragment for htmx); a bad view, date or owner is
                        read as the default (month, today, everyone)
    POST /calendar/move event_id and date=YYYY-MM-DD (another day, the time of day kept; `from`,
                        the day it was picked up from, when it spans several) or
                        start=YYYY-MM-DDTHH:MM (week and day views: another hour), with
                        the page's query; success: the calendar fragment again; a refusal: its
                        reason as plain text (4xx), the event snapping back (static/js/calendar.js)

A day and an hour slot link to the event form with their start and end
(/events/new?start_at=...&end_at=...).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from app import cleaning
from app.errors import KizunaError, NotFound, PermissionDenied, ValidationError
from app.permissions import Principal
from app.services import calendar
from app.services.activities import user_today
from views.choices import user_options
from views.htmx import targets
from views.pages import page
from views.templating import render, translator, user_timezone

CALENDAR_ID = "calendar"
HOURS = range(24)
MONTH_DAY_START = time(9)  # a new event from a month day starts at 9:00, for an hour


def _owner(principal: Principal, value: str) -> tuple[str, int | None]:
    """(the owner filter as the page keeps it, the owner's id): everyone, mine or one user."""
    if value == "mine":
        return value, principal.user.id
    pk = cleaning.pk(value) if value else None
    return (str(pk), pk) if pk is not None else ("", None)


def _new_event_url(start: datetime, end: datetime) -> str:
    return "/events/new?" + urlencode({"start_at": start.strftime("%Y-%m-%dT%H:%M"),
                                       "end_at": end.strftime("%Y-%m-%dT%H:%M")})


def new_at_day(day: date) -> str:
    start = datetime.combine(day, MONTH_DAY_START)
    return _new_event_url(start, start + timedelta(hours=1))


def new_at_hour(day: date, hour: int) -> str:
    start = datetime.combine(day, time(hour))
    return _new_event_url(start, start + timedelta(hours=1))


def _query(view: str, day: date, owner: str) -> str:
    return urlencode({k: v for k, v in {"view": view, "date": day.isoformat(), "owner": owner}.items() if v})


def _title(rng: calendar.Range, lang: str) -> str:
    if rng.view == "month":
        return format_skeleton("yMMMM", rng.anchor, locale=lang)
    if rng.view == "day":
        return format_date(rng.anchor, "full", locale=lang)
    return f"{format_skeleton('yMMMd', rng.first, locale=lang)} – {format_skeleton('yMMMd', rng.last, locale=lang)}"


async def _context(request: Request) -> dict:
    principal: Principal = request.state.principal
    params, lang, zone = request.query_params, request.state.lang, user_timezone(request)
    today = user_today(principal.user)
    view = calendar.parse_view(params.get("view"))
    anchor = calendar.parse_day(params.get("date"), today)
    owner, owner_id = _owner(principal, params.get("owner", ""))
    week_start = calendar.first_weekday(lang)
    rng = calendar.date_range(view, anchor, week_start)
    found = await calendar.load(principal, rng, zone, owner_id, with_tasks=principal.has("tasks", "view"))
    weekdays = Locale.parse(lang).days["format"]["abbreviated"]
    return {
        "cal": found, "rng": rng, "view": view, "owner": owner, "today": today,
        "title": _title(rng, lang),
        "weekday_names": [weekdays[(week_start + i) % 7] for i in range(7)],
        "query": _query(view, anchor, owner),
        "nav": {name: _query(v, d, owner) for name, v, d in (
            ("previous", view, rng.previous), ("next", view, rng.next), ("today", view, today),
            ("month", "month", anchor), ("week", "week", anchor), ("day", "day", anchor))},
        "day_query": lambda d: _query("day", d, owner),
        "hours": HOURS,
        "hour_label": lambda h: format_time(time(h), "short", locale=lang),
        "time_label": lambda moment: format_time(moment, "short", locale=lang),
        "day_label": lambda d: format_skeleton("MMMEd", d, locale=lang),
        "new_at_day": new_at_day, "new_at_hour": new_at_hour,
        "can_create": principal.has("events", "create_edit"),
        "owners": await user_options(principal),
    }


async def calendar_page(request: Request) -> Response:
    context = await _context(request)
    template = "calendar/_calendar.html" if targets(request, CALENDAR_ID) else "calendar/index.html"
    return render(request, template, context)


def _refusal(request: Request, exc: KizunaError) -> str:
    _ = translator(request)
    if isinstance(exc, ValidationError):
        return " ".join(e.render(_) for e in exc.errors)
    return exc.render(_)


async def calendar_move(request: Request) -> Response:
    principal = request.state.principal
    form = await request.form()
    zone = user_timezone(request)
    try:
        day, start = _target(str(form.get("date", "")), str(form.get("start", "")), zone)
        picked = _day_or_none(str(form.get("from", "")))
        event = await calendar.move(principal, str(form.get("event_id", "")), zone, day=day, picked=picked,
                                    start=start)
    except (ValidationError, PermissionDenied, NotFound) as exc:
        status = {ValidationError: 422, PermissionDenied: 403, NotFound: 404}[type(exc)]
        return PlainTextResponse(_refusal(request, exc), status_code=status)
    context = await _context(request)
    _ = translator(request)
    shown = event.start_at.astimezone(zone)
    context["message"] = _("“%(event)s” moved to %(when)s.") % {
        "event": event.subject,
        "when": f"{format_date(shown, 'medium', locale=request.state.lang)} {format_time(shown, 'short', locale=request.state.lang)}"}
    return render(request, "calendar/_calendar.html", context)


def _target(day: str, start: str, zone) -> tuple[date | None, datetime | None]:
    """Where a drop asks the event to go: a day, or a start on the user's clock."""
    try:
        if start:
            return None, cleaning.moment(start, zone.key)
        return cleaning.day(day), None
    except cleaning.Unclean as problem:
        raise ValidationError.single("start" if start else "date", problem.msgid, **problem.params) from None


def _day_or_none(value: str) -> date | None:
    try:
        return cleaning.day(value) if value else None
    except cleaning.Unclean:
        return None


routes = [
    Route("/calendar", page(calendar_page, "events")),
    Route("/calendar/move", page(calendar_move, "events"), methods=["POST"]),
]
