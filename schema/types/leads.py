"""Lead: a person not yet qualified into a contact."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.loaders import ready

from app.models import Lead as LeadModel
from app.models import LeadStatus as LeadStatusEnum
from app.models import RelatedType
from schema.context import Info
from schema.types.node import Node, global_id_field, model_type_check
from schema.types.users import User, owner_field

if TYPE_CHECKING:
    from schema.types.activities import Event, Task

LeadStatus = strawberry.enum(LeadStatusEnum, name="LeadStatus")


@strawberry.type(description="A person not yet qualified into a contact.")
class Lead(Node):
    id: strawberry.ID = global_id_field("Lead")
    first_name: str
    last_name: str
    full_name: str
    company: str
    email: str
    phone: str
    mobile: str
    status: LeadStatus
    description: str
    created_at: datetime
    modified_at: datetime
    owner: User = owner_field()
    is_type_of = model_type_check(LeadModel)

    @strawberry.field(description="Tasks related to the lead that you may see.")
    def tasks(self, info: Info) -> list[Annotated[Task, strawberry.lazy("schema.types.activities")]]:
        return ready(info.context.loaders.tasks_by_related, (RelatedType.LEAD, self.id))

    @strawberry.field(description="Events related to the lead that you may see.")
    def events(
        self, info: Info
    ) -> list[Annotated[Event, strawberry.lazy("schema.types.activities")]]:
        return ready(info.context.loaders.events_by_related, (RelatedType.LEAD, self.id))
