"""Create, update and delete products."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry import UNSET

from app.services.products import products
from schema.context import Info
from schema.errors import Conflict, NotFound, PermissionDenied, ValidationError
from schema.mutations.common import DeletePayload, create, delete, update
from schema.queries.common import AUTH
from schema.types.products import Product


@strawberry.input(description="Fields of a product; on update, omitted fields keep their value.")
class ProductInput:
    name: str | None = UNSET
    code: str | None = strawberry.field(default=UNSET, description="Unique among products when given.")
    unit: str | None = UNSET
    unit_price: Decimal | None = strawberry.field(
        default=UNSET, description="Decimal string, zero or more; at most the currency's minor unit of decimals."
    )
    currency: str | None = strawberry.field(default=UNSET, description="ISO 4217 code; defaults to JPY.")
    tax_rate: Decimal | None = strawberry.field(default=UNSET, description="10, 8 or 0 (percent).")
    description: str | None = UNSET
    active: bool | None = UNSET
    owner_id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="Global id of the new owner (a user)."
    )


@strawberry.type
class ProductPayload:
    product: Product


CreateProductResult = Annotated[
    ProductPayload | ValidationError | NotFound | PermissionDenied, strawberry.union("CreateProductResult")
]
UpdateProductResult = Annotated[
    ProductPayload | ValidationError | NotFound | PermissionDenied, strawberry.union("UpdateProductResult")
]
DeleteProductResult = Annotated[
    DeletePayload | NotFound | PermissionDenied | Conflict, strawberry.union("DeleteProductResult")
]


@strawberry.type
class ProductMutation:
    @strawberry.mutation(permission_classes=AUTH)
    async def create_product(self, info: Info, input: ProductInput) -> CreateProductResult:
        return await create(info, products, input, lambda r: ProductPayload(product=r))

    @strawberry.mutation(permission_classes=AUTH)
    async def update_product(self, info: Info, id: strawberry.ID, input: ProductInput) -> UpdateProductResult:
        return await update(info, products, "Product", id, input, lambda r: ProductPayload(product=r))

    @strawberry.mutation(permission_classes=AUTH)
    async def delete_product(self, info: Info, id: strawberry.ID) -> DeleteProductResult:
        return await delete(info, products, "Product", id)
