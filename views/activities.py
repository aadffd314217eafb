"""Tasks and events: each may relate to one record (kind + record select); events have start and
end in the user's time zone and attendees (contacts, users, e-mail addresses)."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.i18n import N_
from app.models import EventAttendee, RelatedType
from app.permissions import Principal, restrict
from app.services.activities import RELATED_MODELS, events, tasks, tasks_due, upcoming_events, user_today
from views import related
from views.choices import (
    OPTION_LIMIT,
    RELATED_TYPE,
    TASK_PRIORITY,
    TASK_STATUS,
    contact_options,
    user_options,
)
from views.pages import page
from views.records import Column, Field, Filter, RecordPages, Section, visible_refs
from views.templating import render


async def record_options(p: Principal, rtype: str) -> list[tuple[str, str]]:
    """The records of one kind the user may see, for the "related to" select."""
    try:
        model = RELATED_MODELS[RelatedType(rtype)]
    except ValueError:
        return []
    return [(str(o.id), str(o)) for o in await restrict(model.all(), p).limit(OPTION_LIMIT)]


async def related_choices(p: Principal) -> dict[str, list[tuple[str, str]]]:
    return {t.value: await record_options(p, t.value) for t in RelatedType}


def parse_related(form: FormData) -> dict:
    return {"related_type": str(form.get("related_type", "")), "related_id": str(form.get("related_id", ""))}


async def initial_related(obj) -> dict:
    return {"related_type": obj.related_type.value if obj.related_type else "",
            "related_id": str(obj.related_id or "")}


def parse_attendees(form: FormData) -> dict:
    items: list[dict] = [{"contact_id": v} for v in form.getlist("attendee_contacts") if v]
    items += [{"user_id": v} for v in form.getlist("attendee_users") if v]
    # Leads are not offered here, but ones added elsewhere (API) are kept on edit.
    items += [{"lead_id": v} for v in form.getlist("attendee_leads") if v]
    emails = str(form.get("attendee_emails", ""))
    items += [{"email": e.strip()} for e in emails.replace(",", "\n").splitlines() if e.strip()]
    return {"attendees": items}


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


async def attendee_options(p: Principal) -> dict:
    return {"contacts": await contact_options(p), "users": await user_options(p)}


async def related_record(request: Request, obj) -> dict:
    """The record a task or event belongs to, if the user may see it."""
    if not obj.related_type or not obj.related_id:
        return {"related_record": None}
    model = RELATED_MODELS[RelatedType(obj.related_type)]
    found = (await visible_refs(request.state.principal, model, {obj.related_id})).get(obj.related_id)
    href = f"/{RelatedType(obj.related_type).value}s/{obj.related_id}" if found else None
    return {"related_record": found, "related_href": href}


async def related_options(request: Request) -> Response:
    """The record select for the chosen kind, swapped in when the kind changes."""
    rtype = request.query_params.get("related_type", "")
    options = await record_options(request.state.principal, rtype)
    return render(request, "records/_related_options.html", {"options": options, "selected": ""})


RELATED_FIELD = Field("related", N_("Related to"), "related", RELATED_TYPE, options=related_choices,
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
            Field("attendees", N_("Attendees"), "attendees", options=attendee_options,
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
    Route("/activities/related-options", page(related_options)),
    *tasks_pages.routes(),
    *events_pages.routes(),
]
