"""Account: a company (or person) the team sells to."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.loaders import ready

from app.models import Account as AccountModel
from app.models import RelatedType
from schema.context import Info
from schema.types.record_books import RecordBooks, books_field
from schema.types.node import Node, global_id_field, model_type_check
from schema.types.users import User, owner_field

if TYPE_CHECKING:
    from schema.types.activities import Event, Task
    from schema.types.contacts import Contact
    from schema.types.deals import Deal


@strawberry.type(description="A company (or person) the team sells to.")
class Account(Node):
    id: strawberry.ID = global_id_field("Account")
    name: str
    name_kana: str = strawberry.field(description="Reading of the name in katakana, without the legal form.")
    reading_generated: bool = strawberry.field(
        description="True when the reading was generated from the name (it follows it), false when entered.")
    phone: str
    fax: str
    website: str
    billing_street: str
    billing_building: str
    billing_city: str
    billing_state: str
    billing_code: str
    billing_country: str
    shipping_street: str
    shipping_building: str
    shipping_city: str
    shipping_state: str
    shipping_code: str
    shipping_country: str
    description: str
    created_at: datetime
    modified_at: datetime
    owner: User = owner_field()
    is_type_of = model_type_check(AccountModel)
    books: RecordBooks | None = books_field("accounts")

    @strawberry.field(description="The account's contacts that you may see.")
    def contacts(
        self, info: Info
    ) -> list[Annotated[Contact, strawberry.lazy("schema.types.contacts")]]:
        return ready(info.context.loaders.contacts_by_account, self.id)

    @strawberry.field(description="The account's deals that you may see.")
    def deals(self, info: Info) -> list[Annotated[Deal, strawberry.lazy("schema.types.deals")]]:
        return ready(info.context.loaders.deals_by_account, self.id)

    @strawberry.field(description="Tasks related to the account that you may see.")
    def tasks(self, info: Info) -> list[Annotated[Task, strawberry.lazy("schema.types.activities")]]:
        return ready(info.context.loaders.tasks_by_related, (RelatedType.ACCOUNT, self.id))

    @strawberry.field(description="Events related to the account that you may see.")
    def events(
        self, info: Info
    ) -> list[Annotated[Event, strawberry.lazy("schema.types.activities")]]:
        return ready(info.context.loaders.events_by_related, (RelatedType.ACCOUNT, self.id))
