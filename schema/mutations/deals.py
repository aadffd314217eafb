"""Create, update and delete deals; replace a deal's line items."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry import UNSET

from app.services import deal_stages
from app.services import deals as deal_service
from app.services.deals import deals
from app import errors
from app.i18n import N_
from schema.context import Info
from schema.errors import Conflict, NotFound, PermissionDenied, ValidationError, attempt
from schema.mutations.common import ID_TYPES, DeletePayload, create, delete, existing_pk, to_data_list, update
from schema.queries.common import AUTH
from schema.types.deals import Deal
from schema.types.node import pk_of


@strawberry.input(description="A contact taking part in a deal, with their role.")
class DealContactInput:
    contact_id: strawberry.ID
    role: str = ""


@strawberry.input(description="A line item of a deal. Left out: quantity 1, no discount, and the "
                              "product's name and unit price when a product is given.")
class DealLineInput:
    product_id: strawberry.ID | None = strawberry.field(default=UNSET, description="Global id of a product.")
    description: str | None = UNSET
    quantity: Decimal | None = strawberry.field(default=UNSET, description="Decimal string, more than zero.")
    unit_price: Decimal | None = strawberry.field(
        default=UNSET, description="Decimal string, zero or more; at most the currency's minor unit of decimals.")
    discount: Decimal | None = strawberry.field(
        default=UNSET, description="An amount (not a percentage), at most quantity x unit price.")


LINE_ID_TYPES = {**ID_TYPES, "product_id": "Product"}


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
    lines: list[DealLineInput] | None = strawberry.field(
        default=UNSET, description="Replace the line items (at most 200); with any, the amount is their total.")
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
SetDealLinesResult = Annotated[
    DealPayload | ValidationError | NotFound | PermissionDenied, strawberry.union("SetDealLinesResult")
]
MoveDealResult = Annotated[
    DealPayload | ValidationError | NotFound | PermissionDenied, strawberry.union("MoveDealResult")
]
DeleteDealResult = Annotated[
    DeletePayload | NotFound | PermissionDenied | Conflict, strawberry.union("DeleteDealResult")
]


@strawberry.type
class DealMutation:
    @strawberry.mutation(permission_classes=AUTH)
    async def create_deal(self, info: Info, input: DealInput) -> CreateDealResult:
        return await create(info, deals, input, lambda r: DealPayload(deal=r), LINE_ID_TYPES)

    @strawberry.mutation(permission_classes=AUTH)
    async def update_deal(self, info: Info, id: strawberry.ID, input: DealInput) -> UpdateDealResult:
        return await update(info, deals, "Deal", id, input, lambda r: DealPayload(deal=r), LINE_ID_TYPES)

    @strawberry.mutation(permission_classes=AUTH, description="Replace all the line items of a deal at once "
                         "(editing the deal); its amount becomes their total. No lines: the amount stays.")
    async def set_deal_lines(
        self, info: Info, deal_id: strawberry.ID, lines: list[DealLineInput]
    ) -> SetDealLinesResult:
        principal = info.context.principal

        async def run():
            pk = existing_pk(deal_id, "Deal")
            return await deal_service.set_lines(principal, pk, to_data_list(lines, "lines", LINE_ID_TYPES))

        return await attempt(info, run, lambda r: DealPayload(deal=r))

    @strawberry.mutation(permission_classes=AUTH, description="Move a deal to a stage, as saving it with that "
                         "stage would (the Books link's automation follows). A lost stage needs `lostReason` "
                         "(at most 255 characters); leaving a lost stage clears it. A deal shared with you "
                         "read-only is PermissionDenied.")
    async def move_deal(
        self, info: Info, id: strawberry.ID, stage_id: strawberry.ID, lost_reason: str | None = None
    ) -> MoveDealResult:
        principal = info.context.principal

        async def run():
            pk = existing_pk(id, "Deal")
            stage = pk_of(stage_id, "Stage")
            if stage is None:
                raise errors.ValidationError.single("stage_id", N_("Choose a valid record."))
            return await deal_stages.move(principal, pk, stage, lost_reason)

        return await attempt(info, run, lambda r: DealPayload(deal=r))

    @strawberry.mutation(permission_classes=AUTH)
    async def delete_deal(self, info: Info, id: strawberry.ID) -> DeleteDealResult:
        return await delete(info, deals, "Deal", id)
