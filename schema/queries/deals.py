"""deals(...), deal(id) and the pipeline's stages."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry import UNSET

from app.models import Stage as StageModel
from app.services import deal_stages
from app.services.deals import deals
from schema.context import Info
from schema.queries.common import AUTH, AfterArg, FirstArg, get_record, list_records
from schema.types.connection import BadInput
from schema.types.filters import to_q
from schema.types.connection import Connection
from schema.types.deals import Deal, MoneyTotal, PipelineColumn, Stage, StageCategory
from schema.types.filters import (
    DateFilter,
    DateTimeFilter,
    DecimalFilter,
    IDFilter,
    SortDirection,
    StringFilter,
    enum_filter,
    search_field,
)

StageCategoryFilter = enum_filter(StageCategory, "StageCategoryFilter")


@strawberry.input(description="Filter deals; fields combine with AND.")
class DealFilter:
    search: str | None = search_field()
    id: IDFilter | None = UNSET
    name: StringFilter | None = UNSET
    amount: DecimalFilter | None = UNSET
    currency: StringFilter | None = UNSET
    closing_date: DateFilter | None = UNSET
    account: IDFilter | None = UNSET
    stage: IDFilter | None = UNSET
    stage_category: StageCategoryFilter | None = strawberry.field(
        default=UNSET, description="The category of the deal's stage (open, won, lost)."
    )
    owner: IDFilter | None = UNSET
    created_at: DateTimeFilter | None = UNSET
    modified_at: DateTimeFilter | None = UNSET
    and_: list[DealFilter] | None = strawberry.field(name="and", default=UNSET)
    or_: list[DealFilter] | None = strawberry.field(name="or", default=UNSET)
    not_: DealFilter | None = strawberry.field(name="not", default=UNSET)


@strawberry.enum
class DealOrderField(Enum):
    NAME = "name"
    AMOUNT = "amount"
    CLOSING_DATE = "closing_date"
    CREATED_AT = "created_at"
    MODIFIED_AT = "modified_at"


@strawberry.input
class DealOrder:
    field: DealOrderField
    direction: SortDirection = SortDirection.ASC


PIPELINE_FIRST = 50
ID_TYPES = {"id": "Deal", "account": "Account", "stage": "Stage", "owner": "User"}


@strawberry.type
class DealQuery:
    @strawberry.field(permission_classes=AUTH, description="A deal; null if not visible.")
    async def deal(self, info: Info, id: strawberry.ID) -> Deal | None:
        return await get_record(info, deals, "Deal", id)

    @strawberry.field(permission_classes=AUTH, description="The deals you may see.")
    async def deals(
        self,
        info: Info,
        first: FirstArg = None,
        after: AfterArg = None,
        filter: DealFilter | None = None,
        order_by: list[DealOrder] | None = None,
    ) -> Connection[Deal]:
        return await list_records(
            info, deals, first=first, after=after, filter=filter, order=order_by,
            id_types=ID_TYPES, default_order=["-modified_at"],
            paths={"stage_category": "stage__category"},
        )

    @strawberry.field(permission_classes=AUTH, description="The pipeline's stages, in order.")
    async def stages(self) -> list[Stage]:
        return await StageModel.all().order_by("sort_order", "id")

    @strawberry.field(permission_classes=AUTH, description="The pipeline board: a column per stage (open stages "
                      "in order, then won, then lost) with the count and total of the deals you may see "
                      "that match `filter`, and the first `first` of them (at most 200, default 50).")
    async def pipeline(
        self, info: Info, filter: DealFilter | None = None, first: int | None = None
    ) -> list[PipelineColumn]:
        queryset = deals.query(info.context.principal)
        if filter is not None and filter is not UNSET:
            queryset = queryset.filter(to_q(filter, ID_TYPES, {"stage_category": "stage__category"}, deals.model))
        limit = PIPELINE_FIRST if first is None else first
        if not 0 <= limit <= deal_stages.BOARD_COLUMN_MAX:
            raise BadInput(f"first must be between 0 and {deal_stages.BOARD_COLUMN_MAX}.")
        columns = await deal_stages.pipeline(queryset, limit)
        return [PipelineColumn(stage=c.stage, count=c.count, deals=c.deals,
                               totals=[MoneyTotal(amount=a, currency=cur) for a, cur in c.totals])
                for c in columns]
