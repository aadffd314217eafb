"""tasks(...), task(id), events(...), event(id)."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry import UNSET

from app.services.activities import events, tasks
from schema.context import Info
from schema.queries.common import AUTH, AfterArg, FirstArg, get_record, list_records
from schema.types.activities import Event, Task, TaskPriority, TaskStatus
from schema.types.connection import Connection
from schema.types.filters import (
    DateFilter,
    DateTimeFilter,
    IDFilter,
    SortDirection,
    StringFilter,
    enum_filter,
    search_field,
)

TaskStatusFilter = enum_filter(TaskStatus, "TaskStatusFilter")
TaskPriorityFilter = enum_filter(TaskPriority, "TaskPriorityFilter")


@strawberry.input(description="Filter tasks; fields combine with AND.")
class TaskFilter:
    search: str | None = search_field()
    id: IDFilter | None = UNSET
    subject: StringFilter | None = UNSET
    due_date: DateFilter | None = UNSET
    start_date: DateFilter | None = UNSET
    status: TaskStatusFilter | None = UNSET
    priority: TaskPriorityFilter | None = UNSET
    owner: IDFilter | None = UNSET
    created_at: DateTimeFilter | None = UNSET
    modified_at: DateTimeFilter | None = UNSET
    and_: list[TaskFilter] | None = strawberry.field(name="and", default=UNSET)
    or_: list[TaskFilter] | None = strawberry.field(name="or", default=UNSET)
    not_: TaskFilter | None = strawberry.field(name="not", default=UNSET)


@strawberry.enum
class TaskOrderField(Enum):
    SUBJECT = "subject"
    DUE_DATE = "due_date"
    START_DATE = "start_date"
    STATUS = "status"
    PRIORITY = "priority"
    CREATED_AT = "created_at"
    MODIFIED_AT = "modified_at"


@strawberry.input
class TaskOrder:
    field: TaskOrderField
    direction: SortDirection = SortDirection.ASC


@strawberry.input(description="Filter events; fields combine with AND.")
class EventFilter:
    search: str | None = search_field()
    id: IDFilter | None = UNSET
    subject: StringFilter | None = UNSET
    location: StringFilter | None = UNSET
    start_at: DateTimeFilter | None = UNSET
    end_at: DateTimeFilter | None = UNSET
    owner: IDFilter | None = UNSET
    created_at: DateTimeFilter | None = UNSET
    modified_at: DateTimeFilter | None = UNSET
    and_: list[EventFilter] | None = strawberry.field(name="and", default=UNSET)
    or_: list[EventFilter] | None = strawberry.field(name="or", default=UNSET)
    not_: EventFilter | None = strawberry.field(name="not", default=UNSET)


@strawberry.enum
class EventOrderField(Enum):
    SUBJECT = "subject"
    START_AT = "start_at"
    END_AT = "end_at"
    CREATED_AT = "created_at"
    MODIFIED_AT = "modified_at"


@strawberry.input
class EventOrder:
    field: EventOrderField
    direction: SortDirection = SortDirection.ASC


@strawberry.type
class ActivityQuery:
    @strawberry.field(permission_classes=AUTH, description="A task; null if not visible.")
    async def task(self, info: Info, id: strawberry.ID) -> Task | None:
        return await get_record(info, tasks, "Task", id)

    @strawberry.field(permission_classes=AUTH, description="The tasks you may see.")
    async def tasks(
        self,
        info: Info,
        first: FirstArg = None,
        after: AfterArg = None,
        filter: TaskFilter | None = None,
        order_by: list[TaskOrder] | None = None,
    ) -> Connection[Task]:
        return await list_records(
            info, tasks, first=first, after=after, filter=filter, order=order_by,
            id_types={"id": "Task", "owner": "User"}, default_order=["due_date"],
        )

    @strawberry.field(permission_classes=AUTH, description="An event; null if not visible.")
    async def event(self, info: Info, id: strawberry.ID) -> Event | None:
        return await get_record(info, events, "Event", id)

    @strawberry.field(permission_classes=AUTH, description="The events you may see.")
    async def events(
        self,
        info: Info,
        first: FirstArg = None,
        after: AfterArg = None,
        filter: EventFilter | None = None,
        order_by: list[EventOrder] | None = None,
    ) -> Connection[Event]:
        return await list_records(
            info, events, first=first, after=after, filter=filter, order=order_by,
            id_types={"id": "Event", "owner": "User"}, default_order=["start_at"],
        )
