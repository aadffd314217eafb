"""Case: a customer question or problem."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.loaders import ready

from app.models import Case as CaseModel
from app.models import CaseAttachment as CaseAttachmentModel
from app.models import CaseStatus as CaseStatusEnum
from app.models import RelatedType
from schema.context import Info
from schema.types.node import Node, global_id_field, model_type_check
from schema.types.users import User, owner_field

if TYPE_CHECKING:
    from schema.types.activities import Event, Task
    from schema.types.contacts import Contact

CaseStatus = strawberry.enum(CaseStatusEnum, name="CaseStatus")


@strawberry.type(description="A file a case keeps from the e-mail it was created from.")
class CaseAttachment(Node):
    id: strawberry.ID = global_id_field("CaseAttachment")
    filename: str
    content_type: str
    size: int = strawberry.field(description="In bytes.")
    created_at: datetime
    is_type_of = model_type_check(CaseAttachmentModel)

    @strawberry.field(description="Where the file is downloaded (with your session).", metadata={"columns": ("id",)})
    def download_url(self) -> str:
        return f"/cases/attachments/{self.id}"


@strawberry.type(description="A customer question or problem.")
class Case(Node):
    id: strawberry.ID = global_id_field("Case")
    subject: str
    status: CaseStatus
    description: str
    email: str = strawberry.field(description="The address the case came from, if any.")
    created_at: datetime
    modified_at: datetime
    owner: User = owner_field()
    is_type_of = model_type_check(CaseModel)

    @strawberry.field(description="The contact; null when none or not visible to you.")
    def contact(
        self, info: Info
    ) -> Annotated[Contact, strawberry.lazy("schema.types.contacts")] | None:
        if self.contact_id is None:
            return None
        return ready(info.context.loaders.contact, self.contact_id)

    @strawberry.field(description="Tasks related to the case that you may see.")
    def tasks(self, info: Info) -> list[Annotated[Task, strawberry.lazy("schema.types.activities")]]:
        return ready(info.context.loaders.tasks_by_related, (RelatedType.CASE, self.id))

    @strawberry.field(description="Events related to the case that you may see.")
    def events(
        self, info: Info
    ) -> list[Annotated[Event, strawberry.lazy("schema.types.activities")]]:
        return ready(info.context.loaders.events_by_related, (RelatedType.CASE, self.id))

    @strawberry.field(description="The files the case keeps from its e-mail, oldest first.")
    def attachments(self, info: Info) -> list[CaseAttachment]:
        return ready(info.context.loaders.attachments_by_case, self.id)
