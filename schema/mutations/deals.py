"""Create, update and delete deals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry import UNSET

from app.services.deals import deals
from schema.context import Info
from schema.errors import Conflict, NotFound, PermissionDenied, ValidationError
from schema.mutations.common import DeletePayload, create, delete, update
from schema.queries.common import AUTH
from schema.types.deals import Deal


@strawberry.input(description="A contact taking part in a deal, with their role.")
class DealContactInput:
    contact_id: strawberry.ID
    role: str = ""


@strawberry.input(description="Fields of a deal; on update, omitted fields keep their value.")
class DealInput:
    name: str | None = UNSET
    account_id: strawberry.ID | None = UNSET
    amount: Decimal | None = strawberry.field(
        default=UNSET, description="Decimal string; at most the currency's minor unit of decimals."
    )
    currency: str | None = strawberry.field(
        default=UNSET, description="ISO 4217 code; defaults to JPY."
    )
    stage_id: strawberry.ID | None = UNSET
    closing_date: date | None = UNSET
    description: str | None = UNSET
    contacts: list[DealContactInput] | None = UNSET
    owner_id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="Global id of the new owner (a user)."
    )


@strawberry.type
class DealPayload:
    deal: Deal


CreateDealResult = Annotated[
    DealPayload | ValidationError | NotFound | PermissionDenied, strawberry.union("CreateDealResult")
]
UpdateDealResult = Annotated[
    DealPayload | ValidationError | NotFound | PermissionDenied, strawberry.union("UpdateDealResult")
]
DeleteDealResult = Annotated[
    DeletePayload | NotFound | PermissionDenied | Conflict, strawberry.union("DeleteDealResult")
]


@strawberry.type
class DealMutation:
    @strawberry.mutation(permission_classes=AUTH)
    async def create_deal(self, info: Info, input: DealInput) -> CreateDealResult:
        return await create(info, deals, input, lambda r: DealPayload(deal=r))

    @strawberry.mutation(permission_classes=AUTH)
    async def update_deal(self, info: Info, id: strawberry.ID, input: DealInput) -> UpdateDealResult:
        return await update(info, deals, "Deal", id, input, lambda r: DealPayload(deal=r))

    @strawberry.mutation(permission_classes=AUTH)
    async def delete_deal(self, info: Info, id: strawberry.ID) -> DeleteDealResult:
        return await delete(info, deals, "Deal", id)
