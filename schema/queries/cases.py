"""cases(...) and case(id)."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry import UNSET

from app.services.cases import cases
from schema.context import Info
from schema.queries.common import AUTH, AfterArg, FirstArg, get_record, list_records
from schema.types.cases import Case, CaseStatus
from schema.types.connection import Connection
from schema.types.filters import DateTimeFilter, IDFilter, SortDirection, StringFilter, enum_filter, search_field

CaseStatusFilter = enum_filter(CaseStatus, "CaseStatusFilter")


@strawberry.input(description="Filter cases; fields combine with AND.")
class CaseFilter:
    search: str | None = search_field()
    id: IDFilter | None = UNSET
    subject: StringFilter | None = UNSET
    status: CaseStatusFilter | None = UNSET
    email: StringFilter | None = UNSET
    contact: IDFilter | None = UNSET
    owner: IDFilter | None = UNSET
    created_at: DateTimeFilter | None = UNSET
    modified_at: DateTimeFilter | None = UNSET
    and_: list[CaseFilter] | None = strawberry.field(name="and", default=UNSET)
    or_: list[CaseFilter] | None = strawberry.field(name="or", default=UNSET)
    not_: CaseFilter | None = strawberry.field(name="not", default=UNSET)


@strawberry.enum
class CaseOrderField(Enum):
    SUBJECT = "subject"
    STATUS = "status"
    CREATED_AT = "created_at"
    MODIFIED_AT = "modified_at"


@strawberry.input
class CaseOrder:
    field: CaseOrderField
    direction: SortDirection = SortDirection.ASC


@strawberry.type
class CaseQuery:
    @strawberry.field(permission_classes=AUTH, description="A case; null if not visible.")
    async def case(self, info: Info, id: strawberry.ID) -> Case | None:
        return await get_record(info, cases, "Case", id)

    @strawberry.field(permission_classes=AUTH, description="The cases you may see.")
    async def cases(
        self,
        info: Info,
        first: FirstArg = None,
        after: AfterArg = None,
        filter: CaseFilter | None = None,
        order_by: list[CaseOrder] | None = None,
    ) -> Connection[Case]:
        return await list_records(
            info, cases, first=first, after=after, filter=filter, order=order_by,
            id_types={"id": "Case", "contact": "Contact", "owner": "User"},
            default_order=["-modified_at"],
        )
