"""Tasks and events, optionally related to one CRM record; events have attendees."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from app import settings
from app.i18n import N_
from app.models import (
    Account,
    Case,
    Contact,
    Deal,
    Event,
    EventAttendee,
    Lead,
    RelatedType,
    Task,
    TaskStatus,
    User,
)
from app.permissions import Principal
from app.services import links
from app.services.records import EMAIL_RE, Cleaned, RecordService

RELATED_MODELS = {
    RelatedType.ACCOUNT: Account,
    RelatedType.CONTACT: Contact,
    RelatedType.LEAD: Lead,
    RelatedType.DEAL: Deal,
    RelatedType.CASE: Case,
}
ATTENDEE_KINDS = {"contact_id": Contact, "lead_id": Lead, "user_id": User}


# ---- what "today" and "upcoming" mean, for the lists' filters and the home page -----------------


def user_now(user: User, now: datetime | None = None) -> datetime:
    """Now on the user's clock: "today" is the user's day, not the server's."""
    try:
        zone = ZoneInfo(user.timezone or settings.DEFAULT_TIMEZONE)
    except (KeyError, ValueError):
        zone = ZoneInfo(settings.DEFAULT_TIMEZONE)
    return (now or datetime.now(UTC)).astimezone(zone)


def user_today(user: User, now: datetime | None = None) -> date:
    return user_now(user, now).date()


def tasks_due(queryset: QuerySet, when: str, today: date) -> QuerySet:
    """Open tasks due `today` or before it (`overdue`); a completed task is never due."""
    queryset = queryset.exclude(status=TaskStatus.COMPLETED)
    if when == "overdue":
        return queryset.filter(due_date__lt=today)
    return queryset.filter(due_date=today)


def upcoming_events(queryset: QuerySet, now: datetime) -> QuerySet:
    """Events not over yet (one going on now is still worth seeing), soonest first. Compared in
    UTC, as stored: SQLite compares the stored text, where another offset would sort wrongly."""
    return queryset.filter(end_at__gte=now.astimezone(UTC)).order_by("start_at", "id")


async def delete_activities_of(related_type: RelatedType, related_id: int) -> None:
    """A deleted record takes its tasks and events with it (they have no meaning alone)."""
    await Task.filter(related_type=related_type, related_id=related_id).delete()
    await Event.filter(related_type=related_type, related_id=related_id).delete()


async def _validate_related(principal: Principal, cleaned: Cleaned, instance) -> None:
    values = cleaned.values
    if cleaned.has_error("related_type") or cleaned.has_error("related_id"):
        return
    if instance is not None and instance.related_type is not None and instance.related_id is not None:
        # Left out, left empty (a select with no option for it) or repeated: the same link.
        rtype, rid = values.get("related_type"), values.get("related_id")
        same = rtype in (None, instance.related_type) and rid in (None, instance.related_id)
        model = RELATED_MODELS[RelatedType(instance.related_type)]
        if same and await links.keeps_hidden(principal, model, instance.related_id, None):
            # The record it belongs to is hidden from the editor: it stays as it is.
            values["related_type"], values["related_id"] = instance.related_type, instance.related_id
            return
    rtype = values.get("related_type", getattr(instance, "related_type", None))
    rid = values.get("related_id", getattr(instance, "related_id", None))
    if rtype is None and rid is None:
        return
    if rtype is None or rid is None:
        field = "related_id" if rid is None else "related_type"
        cleaned.error(field, N_("Choose both the kind of record and the record."))
        return
    model = RELATED_MODELS[RelatedType(rtype)]
    if not await links.reachable(principal, model).filter(id=rid).exists():
        cleaned.error("related_id", N_("Choose a valid record."))


class TaskService(RecordService):
    model = Task
    fields = (
        "subject", "due_date", "start_date", "status", "priority", "description",
        "related_type", "related_id",
    )
    required = ("subject",)

    async def validate(self, principal: Principal, cleaned: Cleaned, instance: Task | None) -> None:
        v = cleaned.values
        start = v.get("start_date", getattr(instance, "start_date", None))
        due = v.get("due_date", getattr(instance, "due_date", None))
        if start and due and due < start:
            cleaned.error("due_date", N_("The due date cannot be before the start date."))
        await _validate_related(principal, cleaned, instance)


class EventService(RecordService):
    model = Event
    fields = (
        "subject", "start_at", "end_at", "location", "description", "related_type", "related_id",
        "attendees",
    )
    required = ("subject", "start_at", "end_at")

    async def coerce(self, principal: Principal, name: str, value: Any, cleaned: Cleaned) -> Any:
        if name == "attendees":
            return await self._coerce_attendees(principal, value or [], cleaned)
        return await super().coerce(principal, name, value, cleaned)

    async def _coerce_attendees(
        self, principal: Principal, items: list[dict], cleaned: Cleaned
    ) -> list[dict]:
        """Each attendee is exactly one of a contact, a lead, a user or a bare e-mail address.

        The list replaces the attendees the editor can see; contacts and leads hidden from them
        stay (`save_related`), and repeating one in the input is not an error."""
        hidden = await _hidden_attendees(principal, cleaned.instance)
        event_id = cleaned.instance.id if cleaned.instance is not None else None
        result = []
        for i, item in enumerate(items):
            given = {k: v for k, v in item.items() if v not in (None, "")}
            if len(given) != 1 or next(iter(given)) not in (*ATTENDEE_KINDS, "email"):
                cleaned.error(f"attendees.{i}", N_("Give exactly one of a contact, a lead, a user or an e-mail address."))
                continue
            key, value = next(iter(given.items()))
            if key == "email":
                email = str(value).strip()
                if not EMAIL_RE.match(email) or len(email) > 254:
                    cleaned.error(f"attendees.{i}.email", N_("Enter a valid e-mail address."))
                result.append({"email": email})
                continue
            model = ATTENDEE_KINDS[key]
            pk = links.as_id(value)
            if pk is not None and (key, pk) in hidden:
                continue  # kept as it is
            # A user who has left (inactive) cannot be invited, but one attending already stays.
            if model is not User:
                qs = links.reachable(principal, model)
            elif event_id is None:
                qs = User.filter(is_active=True)
            else:
                qs = User.filter(Q(is_active=True) | Q(event_attendances__event_id=event_id))
            if pk is None or not await qs.filter(id=pk).exists():
                cleaned.error(f"attendees.{i}.{key}", N_("Choose a valid record."))
                continue
            result.append({key: pk})
        return result

    async def validate(self, principal: Principal, cleaned: Cleaned, instance: Event | None) -> None:
        v = cleaned.values
        start = v.get("start_at", getattr(instance, "start_at", None))
        end = v.get("end_at", getattr(instance, "end_at", None))
        # A refused start or end is not compared (the stored one would stand in for it).
        refused = cleaned.has_error("start_at") or cleaned.has_error("end_at")
        if start and end and end < start and not refused:
            cleaned.error("end_at", N_("The end cannot be before the start."))
        await _validate_related(principal, cleaned, instance)

    async def save_related(self, principal, obj: Event, values: dict, created: bool) -> None:
        if "attendees" not in values:
            return
        kept = set((await _hidden_attendees(principal, obj)).values())
        replaced = EventAttendee.filter(event_id=obj.id)
        await (replaced.exclude(id__in=sorted(kept)) if kept else replaced).delete()
        await EventAttendee.bulk_create([EventAttendee(event_id=obj.id, **a) for a in values["attendees"]])


async def _hidden_attendees(principal: Principal, event: Event | None) -> dict[tuple[str, int], int]:
    """The event's attendees the principal cannot see: (kind, record id) -> attendee row id."""
    if event is None:
        return {}
    rows = await EventAttendee.filter(event_id=event.id).values_list("id", "contact_id", "lead_id")
    hidden_contacts = await links.hidden_ids(principal, Contact, {c for _, c, _ in rows if c})
    hidden_leads = await links.hidden_ids(principal, Lead, {le for _, _, le in rows if le})
    found: dict[tuple[str, int], int] = {}
    for row_id, contact_id, lead_id in rows:
        if contact_id in hidden_contacts:
            found[("contact_id", contact_id)] = row_id
        elif lead_id in hidden_leads:
            found[("lead_id", lead_id)] = row_id
    return found


tasks = TaskService()
events = EventService()
