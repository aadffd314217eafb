"""accounts(...) and account(id)."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry import UNSET

from app.services.accounts import accounts
from schema.context import Info
from schema.queries.common import AUTH, AfterArg, FirstArg, get_record, list_records
from schema.types.accounts import Account
from schema.types.connection import Connection
from schema.types.filters import DateTimeFilter, IDFilter, SortDirection, StringFilter, search_field


@strawberry.input(description="Filter accounts; fields combine with AND.")
class AccountFilter:
    search: str | None = search_field()
    id: IDFilter | None = UNSET
    name: StringFilter | None = UNSET
    name_kana: StringFilter | None = UNSET
    phone: StringFilter | None = UNSET
    website: StringFilter | None = UNSET
    billing_city: StringFilter | None = UNSET
    billing_country: StringFilter | None = UNSET
    owner: IDFilter | None = UNSET
    created_at: DateTimeFilter | None = UNSET
    modified_at: DateTimeFilter | None = UNSET
    and_: list[AccountFilter] | None = strawberry.field(name="and", default=UNSET)
    or_: list[AccountFilter] | None = strawberry.field(name="or", default=UNSET)
    not_: AccountFilter | None = strawberry.field(name="not", default=UNSET)


@strawberry.enum
class AccountOrderField(Enum):
    NAME = "name"
    NAME_KANA = "name_kana"
    BILLING_CITY = "billing_city"
    CREATED_AT = "created_at"
    MODIFIED_AT = "modified_at"


@strawberry.input
class AccountOrder:
    field: AccountOrderField
    direction: SortDirection = SortDirection.ASC


ID_TYPES = {"id": "Account", "owner": "User"}


@strawberry.type
class AccountQuery:
    @strawberry.field(permission_classes=AUTH, description="An account; null if not visible.")
    async def account(self, info: Info, id: strawberry.ID) -> Account | None:
        return await get_record(info, accounts, "Account", id)

    @strawberry.field(permission_classes=AUTH, description="The accounts you may see.")
    async def accounts(
        self,
        info: Info,
        first: FirstArg = None,
        after: AfterArg = None,
        filter: AccountFilter | None = None,
        order_by: list[AccountOrder] | None = None,
    ) -> Connection[Account]:
        return await list_records(
            info, accounts, first=first, after=after, filter=filter, order=order_by,
            id_types=ID_TYPES, default_order=["name_kana", "name"],
        )
