"""leads(...) and lead(id)."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry import UNSET

from app.services.leads import leads
from schema.context import Info
from schema.queries.common import AUTH, AfterArg, FirstArg, get_record, list_records
from schema.types.connection import Connection
from schema.types.filters import DateTimeFilter, IDFilter, SortDirection, StringFilter, enum_filter, search_field
from schema.types.leads import Lead, LeadStatus

LeadStatusFilter = enum_filter(LeadStatus, "LeadStatusFilter")


@strawberry.input(description="Filter leads; fields combine with AND.")
class LeadFilter:
    search: str | None = search_field()
    id: IDFilter | None = UNSET
    first_name: StringFilter | None = UNSET
    last_name: StringFilter | None = UNSET
    first_name_kana: StringFilter | None = UNSET
    last_name_kana: StringFilter | None = UNSET
    company: StringFilter | None = UNSET
    email: StringFilter | None = UNSET
    status: LeadStatusFilter | None = UNSET
    owner: IDFilter | None = UNSET
    created_at: DateTimeFilter | None = UNSET
    modified_at: DateTimeFilter | None = UNSET
    and_: list[LeadFilter] | None = strawberry.field(name="and", default=UNSET)
    or_: list[LeadFilter] | None = strawberry.field(name="or", default=UNSET)
    not_: LeadFilter | None = strawberry.field(name="not", default=UNSET)


@strawberry.enum
class LeadOrderField(Enum):
    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    FIRST_NAME_KANA = "first_name_kana"
    LAST_NAME_KANA = "last_name_kana"
    COMPANY = "company"
    STATUS = "status"
    CREATED_AT = "created_at"
    MODIFIED_AT = "modified_at"


@strawberry.input
class LeadOrder:
    field: LeadOrderField
    direction: SortDirection = SortDirection.ASC


ID_TYPES = {"id": "Lead", "owner": "User"}


@strawberry.type
class LeadQuery:
    @strawberry.field(permission_classes=AUTH, description="A lead; null if not visible.")
    async def lead(self, info: Info, id: strawberry.ID) -> Lead | None:
        return await get_record(info, leads, "Lead", id)

    @strawberry.field(permission_classes=AUTH, description="The leads you may see.")
    async def leads(
        self,
        info: Info,
        first: FirstArg = None,
        after: AfterArg = None,
        filter: LeadFilter | None = None,
        order_by: list[LeadOrder] | None = None,
    ) -> Connection[Lead]:
        return await list_records(
            info, leads, first=first, after=after, filter=filter, order=order_by,
            id_types=ID_TYPES, default_order=["last_name_kana", "first_name_kana", "last_name", "first_name"],
        )
