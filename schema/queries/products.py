"""products(...) and product(id)."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry import UNSET

from app.services.products import products
from schema.context import Info
from schema.queries.common import AUTH, AfterArg, FirstArg, get_record, list_records
from schema.types.connection import Connection
from schema.types.filters import (
    BooleanFilter, DateTimeFilter, DecimalFilter, IDFilter, SortDirection, StringFilter, search_field,
)
from schema.types.products import Product


@strawberry.input(description="Filter products; fields combine with AND.")
class ProductFilter:
    search: str | None = search_field()
    id: IDFilter | None = UNSET
    name: StringFilter | None = UNSET
    code: StringFilter | None = UNSET
    unit_price: DecimalFilter | None = UNSET
    tax_rate: DecimalFilter | None = UNSET
    active: BooleanFilter | None = UNSET
    owner: IDFilter | None = UNSET
    created_at: DateTimeFilter | None = UNSET
    modified_at: DateTimeFilter | None = UNSET
    and_: list[ProductFilter] | None = strawberry.field(name="and", default=UNSET)
    or_: list[ProductFilter] | None = strawberry.field(name="or", default=UNSET)
    not_: ProductFilter | None = strawberry.field(name="not", default=UNSET)


@strawberry.enum
class ProductOrderField(Enum):
    NAME = "name"
    CODE = "code"
    UNIT_PRICE = "unit_price"
    CREATED_AT = "created_at"
    MODIFIED_AT = "modified_at"


@strawberry.input
class ProductOrder:
    field: ProductOrderField
    direction: SortDirection = SortDirection.ASC


@strawberry.type
class ProductQuery:
    @strawberry.field(permission_classes=AUTH, description="A product; null if not visible.")
    async def product(self, info: Info, id: strawberry.ID) -> Product | None:
        return await get_record(info, products, "Product", id)

    @strawberry.field(permission_classes=AUTH, description="The products you may see.")
    async def products(
        self,
        info: Info,
        first: FirstArg = None,
        after: AfterArg = None,
        filter: ProductFilter | None = None,
        order_by: list[ProductOrder] | None = None,
    ) -> Connection[Product]:
        return await list_records(
            info, products, first=first, after=after, filter=filter, order=order_by,
            id_types={"id": "Product", "owner": "User"},
            default_order=["name"],
        )
