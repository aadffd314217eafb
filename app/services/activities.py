"""Tasks and events, optionally related to one CRM record; events have attendees."""

from __future__ import annotations

from typing import Any

from app import cleaning
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
    User,
)
from app.permissions import Principal, restrict
from app.services.records import EMAIL_RE, Cleaned, RecordService

RELATED_MODELS = {
    RelatedType.ACCOUNT: Account,
    RelatedType.CONTACT: Contact,
    RelatedType.LEAD: Lead,
    RelatedType.DEAL: Deal,
    RelatedType.CASE: Case,
}
ATTENDEE_KINDS = {"contact_id": Contact, "lead_id": Lead, "user_id": User}


async def delete_activities_of(related_type: RelatedType, related_id: int) -> None:
    """A deleted record takes its tasks and events with it (they have no meaning alone)."""
    await Task.filter(related_type=related_type, related_id=related_id).delete()
    await Event.filter(related_type=related_type, related_id=related_id).delete()


async def _validate_related(principal: Principal, cleaned: Cleaned, instance) -> None:
    values = cleaned.values
    rtype = values.get("related_type", getattr(instance, "related_type", None))
    rid = values.get("related_id", getattr(instance, "related_id", None))
    if cleaned.has_error("related_type") or cleaned.has_error("related_id"):
        return
    if rtype is None and rid is None:
        return
    if rtype is None or rid is None:
        field = "related_id" if rid is None else "related_type"
        cleaned.error(field, N_("Choose both the kind of record and the record."))
        return
    model = RELATED_MODELS[RelatedType(rtype)]
    if not await restrict(model.filter(id=rid), principal).exists():
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
        """Each attendee is exactly one of a contact, a lead, a user or a bare e-mail address."""
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
            pk = cleaning.pk(value)
            if pk is None:
                cleaned.error(f"attendees.{i}.{key}", N_("Choose a valid record."))
                continue
            qs = model.filter(id=pk)
            qs = qs.filter(is_active=True) if model is User else restrict(qs, principal)
            if not await qs.exists():
                cleaned.error(f"attendees.{i}.{key}", N_("Choose a valid record."))
            result.append({key: pk})
        return result

    async def validate(self, principal: Principal, cleaned: Cleaned, instance: Event | None) -> None:
        v = cleaned.values
        start = v.get("start_at", getattr(instance, "start_at", None))
        end = v.get("end_at", getattr(instance, "end_at", None))
        if start and end and end < start:
            cleaned.error("end_at", N_("The end cannot be before the start."))
        await _validate_related(principal, cleaned, instance)

    async def save_related(self, principal, obj: Event, values: dict, created: bool) -> None:
        if "attendees" not in values:
            return
        await EventAttendee.filter(event_id=obj.id).delete()
        await EventAttendee.bulk_create([EventAttendee(event_id=obj.id, **a) for a in values["attendees"]])


tasks = TaskService()
events = EventService()
