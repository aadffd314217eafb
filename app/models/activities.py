"""Tasks and events. Each may relate to one CRM record (account, contact, lead, deal, case)."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from app.models.base import OwnedRecord, Searchable, long_text


class RelatedType(StrEnum):
    ACCOUNT = "account"
    CONTACT = "contact"
    LEAD = "lead"
    DEAL = "deal"
    CASE = "case"


class TaskStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"
    DEFERRED = "deferred"
    COMPLETED = "completed"


class TaskPriority(StrEnum):
    HIGHEST = "highest"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"
    LOWEST = "lowest"


class Task(Searchable, OwnedRecord):
    SEARCH_FIELDS = ("subject",)
    id = fields.IntField(primary_key=True)
    subject = fields.CharField(max_length=255)
    due_date = fields.DateField(null=True, db_index=True)
    start_date = fields.DateField(null=True)
    status = fields.CharEnumField(
        TaskStatus, max_length=20, default=TaskStatus.NOT_STARTED, db_index=True
    )
    priority = fields.CharEnumField(TaskPriority, max_length=10, default=TaskPriority.NORMAL)
    description = long_text()
    related_type = fields.CharEnumField(RelatedType, max_length=10, null=True)
    related_id = fields.IntField(null=True)
    # Comma-separated, as clients have them; PIM sync may be limited to one.
    categories = fields.CharField(max_length=255, default="", db_default="")
    # The repetition as iCalendar lines (RRULE, EXDATE, RDATE), kept as a client sent it.
    recurrence = fields.TextField(default="", db_default="")

    class Meta:
        table = "tasks"
        ordering = ["due_date", "id"]
        indexes = (("related_type", "related_id"),)

    def __str__(self) -> str:
        return self.subject


class Event(Searchable, OwnedRecord):
    SEARCH_FIELDS = ("subject", "location")
    id = fields.IntField(primary_key=True)
    subject = fields.CharField(max_length=255)
    start_at = fields.DatetimeField(db_index=True)
    end_at = fields.DatetimeField()
    location = fields.CharField(max_length=255, default="")
    description = long_text()
    related_type = fields.CharEnumField(RelatedType, max_length=10, null=True)
    related_id = fields.IntField(null=True)
    all_day = fields.BooleanField(default=False, db_default=False)
    # Comma-separated, as clients have them; PIM sync may be limited to one.
    categories = fields.CharField(max_length=255, default="", db_default="")
    # The repetition as iCalendar lines (RRULE, EXDATE, RDATE), kept as a client sent it.
    recurrence = fields.TextField(default="", db_default="")

    class Meta:
        table = "events"
        ordering = ["start_at", "id"]
        # The calendar asks for what starts before a range ends and ends after it starts: most
        # events are over, so the end narrows the search (an index, not a field flag: see below).
        indexes = (("related_type", "related_id"), ("end_at",))

    def __str__(self) -> str:
        return self.subject


class EventAttendee(Model):
    """Exactly one of contact, lead, user or a bare e-mail address."""

    id = fields.IntField(primary_key=True)
    event = fields.ForeignKeyField("models.Event", related_name="attendees", on_delete=fields.CASCADE, db_index=True)
    contact = fields.ForeignKeyField(
        "models.Contact", related_name="event_attendances", null=True, on_delete=fields.CASCADE, db_index=True)
    lead = fields.ForeignKeyField(
        "models.Lead", related_name="event_attendances", null=True, on_delete=fields.CASCADE, db_index=True)
    user = fields.ForeignKeyField(
        "models.User", related_name="event_attendances", null=True, on_delete=fields.CASCADE, db_index=True)
    email = fields.CharField(max_length=254, default="")

    class Meta:
        table = "event_attendees"
        # An index, not a field flag: altering a field rebuilds the table on SQLite and drops
        # its other indexes (seen with tortoise 1.1.9).
        indexes = (("email",),)
