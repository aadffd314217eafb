"""contacts(...) and contact(id)."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry import UNSET

from app.services.contacts import contacts
from schema.context import Info
from schema.queries.common import AUTH, AfterArg, FirstArg, get_record, list_records
from schema.types.connection import Connection
from schema.types.contacts import Contact
from schema.types.filters import DateFilter, DateTimeFilter, IDFilter, SortDirection, StringFilter, search_field


@strawberry.input(description="Filter contacts; fields combine with AND.")
class ContactFilter:
    search: str | None = search_field()
    id: IDFilter | None = UNSET
    first_name: StringFilter | None = UNSET
    last_name: StringFilter | None = UNSET
    first_name_kana: StringFilter | None = UNSET
    last_name_kana: StringFilter | None = UNSET
    email: StringFilter | None = UNSET
    title: StringFilter | None = UNSET
    department: StringFilter | None = UNSET
    mailing_city: StringFilter | None = UNSET
    mailing_country: StringFilter | None = UNSET
    birthday: DateFilter | None = UNSET
    account: IDFilter | None = UNSET
    owner: IDFilter | None = UNSET
    created_at: DateTimeFilter | None = UNSET
    modified_at: DateTimeFilter | None = UNSET
    and_: list[ContactFilter] | None = strawberry.field(name="and", default=UNSET)
    or_: list[ContactFilter] | None = strawberry.field(name="or", default=UNSET)
    not_: ContactFilter | None = strawberry.field(name="not", default=UNSET)


@strawberry.enum
class ContactOrderField(Enum):
    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    FIRST_NAME_KANA = "first_name_kana"
    LAST_NAME_KANA = "last_name_kana"
    EMAIL = "email"
    BIRTHDAY = "birthday"
    CREATED_AT = "created_at"
    MODIFIED_AT = "modified_at"


@strawberry.input
class ContactOrder:
    field: ContactOrderField
    direction: SortDirection = SortDirection.ASC


ID_TYPES = {"id": "Contact", "account": "Account", "owner": "User"}


@strawberry.type
class ContactQuery:
    @strawberry.field(permission_classes=AUTH, description="A contact; null if not visible.")
    async def contact(self, info: Info, id: strawberry.ID) -> Contact | None:
        return await get_record(info, contacts, "Contact", id)

    @strawberry.field(permission_classes=AUTH, description="The contacts you may see.")
    async def contacts(
        self,
        info: Info,
        first: FirstArg = None,
        after: AfterArg = None,
        filter: ContactFilter | None = None,
        order_by: list[ContactOrder] | None = None,
    ) -> Connection[Contact]:
        return await list_records(
            info, contacts, first=first, after=after, filter=filter, order=order_by,
            id_types=ID_TYPES, default_order=["last_name_kana", "first_name_kana", "last_name", "first_name"],
        )
