"""Create, update and delete contacts."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry import UNSET

from app.services.contacts import contacts
from schema.context import Info
from schema.errors import Conflict, NotFound, PermissionDenied, ValidationError
from schema.mutations.common import DeletePayload, create, delete, update
from schema.queries.common import AUTH
from schema.types.contacts import Contact


@strawberry.input(description="Fields of a contact; on update, omitted fields keep their value.")
class ContactInput:
    first_name: str | None = UNSET
    last_name: str | None = UNSET
    last_name_kana: str | None = strawberry.field(
        default=UNSET, description="Reading of the family name (katakana; hiragana is converted). Empty: generated.")
    first_name_kana: str | None = strawberry.field(
        default=UNSET, description="Reading of the given name (katakana; hiragana is converted). Empty: generated.")
    email: str | None = UNSET
    secondary_email: str | None = UNSET
    title: str | None = UNSET
    department: str | None = UNSET
    work_phone: str | None = UNSET
    home_phone: str | None = UNSET
    other_phone: str | None = UNSET
    mobile: str | None = UNSET
    fax: str | None = UNSET
    assistant: str | None = UNSET
    assistant_phone: str | None = UNSET
    reports_to: str | None = UNSET
    description: str | None = UNSET
    birthday: date | None = UNSET
    account_id: strawberry.ID | None = UNSET
    mailing_street: str | None = UNSET
    mailing_building: str | None = UNSET
    mailing_city: str | None = UNSET
    mailing_state: str | None = UNSET
    mailing_code: str | None = UNSET
    mailing_country: str | None = UNSET
    other_street: str | None = UNSET
    other_building: str | None = UNSET
    other_city: str | None = UNSET
    other_state: str | None = UNSET
    other_code: str | None = UNSET
    other_country: str | None = UNSET
    owner_id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="Global id of the new owner (a user)."
    )


@strawberry.type
class ContactPayload:
    contact: Contact


CreateContactResult = Annotated[
    ContactPayload | ValidationError | NotFound | PermissionDenied, strawberry.union("CreateContactResult")
]
UpdateContactResult = Annotated[
    ContactPayload | ValidationError | NotFound | PermissionDenied, strawberry.union("UpdateContactResult")
]
DeleteContactResult = Annotated[
    DeletePayload | NotFound | PermissionDenied | Conflict, strawberry.union("DeleteContactResult")
]


@strawberry.type
class ContactMutation:
    @strawberry.mutation(permission_classes=AUTH)
    async def create_contact(self, info: Info, input: ContactInput) -> CreateContactResult:
        return await create(info, contacts, input, lambda r: ContactPayload(contact=r))

    @strawberry.mutation(permission_classes=AUTH)
    async def update_contact(self, info: Info, id: strawberry.ID, input: ContactInput) -> UpdateContactResult:
        return await update(info, contacts, "Contact", id, input, lambda r: ContactPayload(contact=r))

    @strawberry.mutation(permission_classes=AUTH)
    async def delete_contact(self, info: Info, id: strawberry.ID) -> DeleteContactResult:
        return await delete(info, contacts, "Contact", id)
