"""Create, update and delete tasks, events."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry import UNSET

from app.services.activities import events, tasks
from schema.context import Info
from schema.errors import Conflict, NotFound, PermissionDenied, ValidationError
from schema.mutations.common import DeletePayload, create, delete, update
from schema.queries.common import AUTH
from schema.types.activities import Event, Task, TaskPriority, TaskStatus


@strawberry.input(description="Exactly one of contactId, leadId, userId or email.")
class AttendeeInput:
    contact_id: strawberry.ID | None = UNSET
    lead_id: strawberry.ID | None = UNSET
    user_id: strawberry.ID | None = UNSET
    email: str | None = UNSET


@strawberry.input(description="Fields of a task; on update, omitted fields keep their value.")
class TaskInput:
    subject: str | None = UNSET
    due_date: date | None = UNSET
    start_date: date | None = UNSET
    status: TaskStatus | None = UNSET
    priority: TaskPriority | None = UNSET
    description: str | None = UNSET
    related_to: strawberry.ID | None = strawberry.field(
        default=UNSET, description="Global id of the account, contact, lead, deal or case this is about; null to clear."
    )
    owner_id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="Global id of the new owner (a user)."
    )


@strawberry.input(description="Fields of a event; on update, omitted fields keep their value.")
class EventInput:
    subject: str | None = UNSET
    start_at: datetime | None = UNSET
    end_at: datetime | None = UNSET
    location: str | None = UNSET
    description: str | None = UNSET
    related_to: strawberry.ID | None = strawberry.field(
        default=UNSET, description="Global id of the account, contact, lead, deal or case this is about; null to clear."
    )
    attendees: list[AttendeeInput] | None = UNSET
    owner_id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="Global id of the new owner (a user)."
    )


@strawberry.type
class TaskPayload:
    task: Task


CreateTaskResult = Annotated[
    TaskPayload | ValidationError | NotFound | PermissionDenied, strawberry.union("CreateTaskResult")
]
UpdateTaskResult = Annotated[
    TaskPayload | ValidationError | NotFound | PermissionDenied, strawberry.union("UpdateTaskResult")
]
DeleteTaskResult = Annotated[
    DeletePayload | NotFound | PermissionDenied | Conflict, strawberry.union("DeleteTaskResult")
]


@strawberry.type
class EventPayload:
    event: Event


CreateEventResult = Annotated[
    EventPayload | ValidationError | NotFound | PermissionDenied, strawberry.union("CreateEventResult")
]
UpdateEventResult = Annotated[
    EventPayload | ValidationError | NotFound | PermissionDenied, strawberry.union("UpdateEventResult")
]
DeleteEventResult = Annotated[
    DeletePayload | NotFound | PermissionDenied | Conflict, strawberry.union("DeleteEventResult")
]


@strawberry.type
class ActivityMutation:
    @strawberry.mutation(permission_classes=AUTH)
    async def create_task(self, info: Info, input: TaskInput) -> CreateTaskResult:
        return await create(info, tasks, input, lambda r: TaskPayload(task=r))

    @strawberry.mutation(permission_classes=AUTH)
    async def update_task(self, info: Info, id: strawberry.ID, input: TaskInput) -> UpdateTaskResult:
        return await update(info, tasks, "Task", id, input, lambda r: TaskPayload(task=r))

    @strawberry.mutation(permission_classes=AUTH)
    async def delete_task(self, info: Info, id: strawberry.ID) -> DeleteTaskResult:
        return await delete(info, tasks, "Task", id)

    @strawberry.mutation(permission_classes=AUTH)
    async def create_event(self, info: Info, input: EventInput) -> CreateEventResult:
        return await create(info, events, input, lambda r: EventPayload(event=r))

    @strawberry.mutation(permission_classes=AUTH)
    async def update_event(self, info: Info, id: strawberry.ID, input: EventInput) -> UpdateEventResult:
        return await update(info, events, "Event", id, input, lambda r: EventPayload(event=r))

    @strawberry.mutation(permission_classes=AUTH)
    async def delete_event(self, info: Info, id: strawberry.ID) -> DeleteEventResult:
        return await delete(info, events, "Event", id)
