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
    from schema.types.accounts import Account
    from schema.types.activities import Event, Task
    from schema.types.contacts import Contact
    from schema.types.deals import Deal

LeadStatus = strawberry.enum(LeadStatusEnum, name="LeadStatus")


@strawberry.type(description="A person not yet qualified into a contact.")
class Lead(Node):
    id: strawberry.ID = global_id_field("Lead")
    first_name: str
    last_name: str
    last_name_kana: str = strawberry.field(description="Reading of the family name in katakana (セイ).")
    first_name_kana: str = strawberry.field(description="Reading of the given name in katakana (メイ).")
    reading_generated: bool = strawberry.field(
        description="True when the readings were generated from the name (they follow it), false when entered.")
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
    converted_at: datetime | None = strawberry.field(description="When the lead was converted; null if not yet.")
    is_type_of = model_type_check(LeadModel)

    # What the lead became (convertLead), through the per-request loaders by id: null when not
    # converted, deleted since, or not visible to you.
    @strawberry.field(description="The contact the lead was converted into.")
    def converted_contact(
        self, info: Info
    ) -> Annotated[Contact, strawberry.lazy("schema.types.contacts")] | None:
        if self.converted_contact_id is None:
            return None
        return ready(info.context.loaders.contact, self.converted_contact_id)

    @strawberry.field(description="The account of the contact the lead was converted into.")
    def converted_account(
        self, info: Info
    ) -> Annotated[Account, strawberry.lazy("schema.types.accounts")] | None:
        if self.converted_account_id is None:
            return None
        return ready(info.context.loaders.account, self.converted_account_id)

    @strawberry.field(description="The deal made when the lead was converted.")
    def converted_deal(self, info: Info) -> Annotated[Deal, strawberry.lazy("schema.types.deals")] | None:
        if self.converted_deal_id is None:
            return None
        return ready(info.context.loaders.deal, self.converted_deal_id)

    @strawberry.field(description="Tasks related to the lead that you may see.")
    def tasks(self, info: Info) -> list[Annotated[Task, strawberry.lazy("schema.types.activities")]]:
        return ready(info.context.loaders.tasks_by_related, (RelatedType.LEAD, self.id))

    @strawberry.field(description="Events related to the lead that you may see.")
    def events(
        self, info: Info
    ) -> list[Annotated[Event, strawberry.lazy("schema.types.activities")]]:
        return ready(info.context.loaders.events_by_related, (RelatedType.LEAD, self.id))
