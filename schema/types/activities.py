"""Tasks and events, each optionally related to one CRM record; events have attendees."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Annotated, Any, Union

import strawberry

from app.models import Event as EventModel
from app.models import Task as TaskModel
from app.models import TaskPriority as TaskPriorityEnum
from app.models import TaskStatus as TaskStatusEnum
from schema.context import Info
from schema.types.accounts import Account
from schema.types.cases import Case
from schema.types.contacts import Contact
from schema.types.deals import Deal
from schema.types.leads import Lead
from schema.types.node import Node, global_id_field, model_type_check
from schema.types.users import User, owner_field

TaskStatus = strawberry.enum(TaskStatusEnum, name="TaskStatus")
TaskPriority = strawberry.enum(TaskPriorityEnum, name="TaskPriority")

RelatedRecord = Annotated[
    Union[Account, Contact, Lead, Deal, Case],
    strawberry.union("RelatedRecord", description="The record a task or event is about."),
]


async def _related_to(root: Any, info: Info) -> RelatedRecord | None:
    loader = info.context.loaders.related(root.related_type)
    if loader is None or root.related_id is None:
        return None
    return await loader.load(root.related_id)


def related_to_field() -> Any:
    return strawberry.field(
        resolver=_related_to,
        description="The record this is about; null when none or not visible to you.",
    )


@strawberry.type(description="Something to do, with a due date and a status.")
class Task(Node):
    id: strawberry.ID = global_id_field("Task")
    subject: str
    due_date: date | None
    start_date: date | None
    status: TaskStatus
    priority: TaskPriority
    description: str
    created_at: datetime
    modified_at: datetime
    owner: User = owner_field()
    related_to: RelatedRecord | None = related_to_field()
    is_type_of = model_type_check(TaskModel)


@strawberry.type(
    description="One attendee: a contact, a lead, a user, or a bare e-mail address (exactly one)."
)
class EventAttendee:
    contact: Contact | None
    lead: Lead | None
    user: User | None
    email: str | None


@strawberry.type(description="A meeting or call at a set time.")
class Event(Node):
    id: strawberry.ID = global_id_field("Event")
    subject: str
    start_at: datetime
    end_at: datetime
    location: str
    description: str
    created_at: datetime
    modified_at: datetime
    owner: User = owner_field()
    related_to: RelatedRecord | None = related_to_field()
    is_type_of = model_type_check(EventModel)

    @strawberry.field(description="Attendees; contacts and leads you may not see are left out.")
    async def attendees(self, info: Info) -> list[EventAttendee]:
        loaders = info.context.loaders
        rows = await loaders.attendees_by_event.load(self.id)
        contacts, leads, users = await asyncio.gather(
            loaders.contact.load_many([r.contact_id for r in rows if r.contact_id]),
            loaders.lead.load_many([r.lead_id for r in rows if r.lead_id]),
            loaders.user.load_many([r.user_id for r in rows if r.user_id]),
        )
        found = {
            "contact": {o.id: o for o in contacts if o},
            "lead": {o.id: o for o in leads if o},
            "user": {o.id: o for o in users if o},
        }
        result = []
        for row in rows:
            kind = next((k for k in found if getattr(row, f"{k}_id")), None)
            if kind is None:
                result.append(EventAttendee(contact=None, lead=None, user=None, email=row.email))
                continue
            record = found[kind].get(getattr(row, f"{kind}_id"))
            if record is not None:  # never reveal who an invisible attendee is
                values = {"contact": None, "lead": None, "user": None, "email": None, kind: record}
                result.append(EventAttendee(**values))
        return result
