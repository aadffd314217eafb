"""Contact: a person, usually at an account."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.loaders import ready

from app.models import Contact as ContactModel
from app.models import RelatedType
from schema.context import Info
from schema.types.record_books import RecordBooks, books_field
from schema.types.node import Node, global_id_field, model_type_check
from schema.types.users import User, owner_field

if TYPE_CHECKING:
    from schema.types.accounts import Account
    from schema.types.activities import Event, Task
    from schema.types.deals import Deal


@strawberry.type(description="A person, usually working at an account.")
class Contact(Node):
    id: strawberry.ID = global_id_field("Contact")
    first_name: str
    last_name: str
    last_name_kana: str = strawberry.field(description="Reading of the family name in katakana (セイ).")
    first_name_kana: str = strawberry.field(description="Reading of the given name in katakana (メイ).")
    reading_generated: bool = strawberry.field(
        description="True when the readings were generated from the name (they follow it), false when entered.")
    full_name: str
    email: str
    secondary_email: str
    title: str
    department: str
    work_phone: str
    home_phone: str
    other_phone: str
    mobile: str
    fax: str
    assistant: str
    assistant_phone: str
    reports_to: str
    mailing_street: str
    mailing_building: str
    mailing_city: str
    mailing_state: str
    mailing_code: str
    mailing_country: str
    other_street: str
    other_building: str
    other_city: str
    other_state: str
    other_code: str
    other_country: str
    description: str
    birthday: date | None
    created_at: datetime
    modified_at: datetime
    owner: User = owner_field()
    is_type_of = model_type_check(ContactModel)
    books: RecordBooks | None = books_field("contacts")

    @strawberry.field(description="The contact's account; null when none or not visible to you.")
    def account(
        self, info: Info
    ) -> Annotated[Account, strawberry.lazy("schema.types.accounts")] | None:
        if self.account_id is None:
            return None
        return ready(info.context.loaders.account, self.account_id)

    @strawberry.field(description="Deals the contact takes part in that you may see.")
    def deals(self, info: Info) -> list[Annotated[Deal, strawberry.lazy("schema.types.deals")]]:
        return ready(info.context.loaders.deals_by_contact, self.id)

    @strawberry.field(description="Tasks related to the contact that you may see.")
    def tasks(self, info: Info) -> list[Annotated[Task, strawberry.lazy("schema.types.activities")]]:
        return ready(info.context.loaders.tasks_by_related, (RelatedType.CONTACT, self.id))

    @strawberry.field(description="Events about the contact or that the contact attends, that you may see.")
    def events(
        self, info: Info
    ) -> list[Annotated[Event, strawberry.lazy("schema.types.activities")]]:
        return ready(info.context.loaders.events_by_related, (RelatedType.CONTACT, self.id))
