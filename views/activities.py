"""Tasks and events: each may relate to one record (one search picker across the kinds); events
have start and end in the user's time zone and attendees (contacts, leads, users, e-mail
addresses, picked by search: views/pickers.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.datastructures import FormData
from starlette.requests import Request

from app.i18n import N_
from app.models import EventAttendee, RelatedType
from app.services.activities import RELATED_MODELS, events, tasks, tasks_due, upcoming_events, user_today
from views import pickers, related
from views.choices import RELATED_TYPE, TASK_PRIORITY, TASK_STATUS
from views.pickers import parse_attendees
from views.records import Column, Field, Filter, RecordPages, Section, visible_refs


def parse_related(form: FormData) -> dict:
    return {"related_type": str(form.get("related_type", "")), "related_id": str(form.get("related_id", ""))}


async def initial_related(obj) -> dict:
    return {"related_type": obj.related_type.value if obj.related_type else "",
            "related_id": str(obj.related_id or "")}


async def initial_attendees(event) -> dict:
    out = []
    for a in await EventAttendee.filter(event_id=event.id).order_by("id"):
        for key in ("contact_id", "lead_id", "user_id"):
            if getattr(a, key):
                out.append({key: str(getattr(a, key))})
                break
        else:
            out.append({"email": a.email})
    return {"attendees": out}


async def related_record(request: Request, obj) -> dict:
    """The record a task or event belongs to, if the user may see it."""
    if not obj.related_type or not obj.related_id:
        return {"related_record": None}
    model = RELATED_MODELS[RelatedType(obj.related_type)]
    found = (await visible_refs(request.state.principal, model, {obj.related_id})).get(obj.related_id)
    href = f"/{RelatedType(obj.related_type).value}s/{obj.related_id}" if found else None
    return {"related_record": found, "related_href": href}


RELATED_FIELD = Field("related", N_("Related to"), "related", RELATED_TYPE,  # views/pickers.py
                      parse=parse_related, initial=initial_related, on_detail=False)

tasks_pages = RecordPages(
    module="tasks",
    service=tasks,
    singular=N_("Task"),
    plural=N_("Tasks"),
    sections=(
        Section(N_("Task"), (
            Field("subject", N_("Subject"), required=True),
            Field("start_date", N_("Start date"), "date"),
            Field("due_date", N_("Due date"), "date"),
            Field("status", N_("Status"), "select", TASK_STATUS, blank=False),
            Field("priority", N_("Priority"), "select", TASK_PRIORITY, blank=False),
            RELATED_FIELD,
        )),
        Section(N_("Description"), (Field("description", N_("Description"), "textarea"),)),
    ),
    columns=(
        Column(N_("Subject"), "subject", "link"),
        Column(N_("Due date"), "due_date", "date"),
        Column(N_("Status"), "status", "choice", TASK_STATUS),
        Column(N_("Priority"), "priority", "choice", TASK_PRIORITY),
        Column(N_("Owner"), "owner.name"),
    ),
    filters=(Filter("status", N_("Status"), (("", N_("All")), *TASK_STATUS),
                    lambda qs, v, p: qs.filter(status=v)),
             # The home page's tasks block links here: open tasks due on the user's today, or before.
             Filter("due", N_("Due"), (("", N_("All")), ("today", N_("Due today")), ("overdue", N_("Overdue"))),
                    lambda qs, v, p: tasks_due(qs, v, user_today(p.user)))),
    extra_detail=related_record,
    defaults={"priority": "normal"},
)

events_pages = RecordPages(
    module="events",
    service=events,
    singular=N_("Event"),
    plural=N_("Events"),
    sections=(
        Section(N_("Event"), (
            Field("subject", N_("Subject"), required=True),
            Field("start_at", N_("Start"), "datetime", required=True),
            Field("end_at", N_("End"), "datetime", required=True),
            Field("location", N_("Location")),
            RELATED_FIELD,
        )),
        Section(N_("Attendees"), (
            Field("attendees", N_("Attendees"), "attendees",  # views/pickers.py
                  parse=parse_attendees, initial=initial_attendees, on_detail=False),
        )),
        Section(N_("Description"), (Field("description", N_("Description"), "textarea"),)),
    ),
    columns=(
        Column(N_("Subject"), "subject", "link"),
        Column(N_("Start"), "start_at", "datetime"),
        Column(N_("End"), "end_at", "datetime"),
        Column(N_("Location"), "location"),
        Column(N_("Owner"), "owner.name"),
    ),
    filters=(Filter("when", N_("When"), (("", N_("All")), ("upcoming", N_("Upcoming"))),
                    lambda qs, v, p: upcoming_events(qs, datetime.now(UTC))),),
    related=(related.EVENT_ATTENDEES,),
    extra_detail=related_record,
)

routes = [
    *pickers.routes,
    *tasks_pages.routes(),
    *events_pages.routes(),
]
