"""Deal, its pipeline stage and the contacts taking part in it (with their roles)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.loaders import ready

from app.models import Deal as DealModel
from app.models import RelatedType
from app.models import Stage as StageModel
from app.models import StageCategory as StageCategoryEnum
from schema.context import Info
from schema.types.record_books import RecordBooks, books_field
from schema.types.books import decimal_field
from schema.types.node import Node, global_id_field, model_type_check
from schema.types.users import User, owner_field

if TYPE_CHECKING:
    from schema.types.accounts import Account
    from schema.types.activities import Event, Task
    from schema.types.contacts import Contact
    from schema.types.products import Product

StageCategory = strawberry.enum(StageCategoryEnum, name="StageCategory")


@strawberry.type(description="A step of the deal pipeline; its category tells open, won or lost.")
class Stage(Node):
    id: strawberry.ID = global_id_field("Stage")
    name: str
    category: StageCategory
    probability: int
    sort_order: int
    is_type_of = model_type_check(StageModel)


@strawberry.type(description="A contact's part in a deal.")
class DealContact:
    contact: Annotated[Contact, strawberry.lazy("schema.types.contacts")]
    role: str


@strawberry.type(description="A line item of a deal: a product (or free text), quantity, unit price, discount.")
class DealLine:
    position: int
    description: str
    quantity: Decimal = decimal_field("quantity")
    unit_price: Decimal = decimal_field("unit_price", "In the deal's currency.")
    discount: Decimal = decimal_field("discount", "An amount taken off the line, in the deal's currency.")

    @strawberry.field(description="The product; null when none or not visible to you.")
    def product(self, info: Info) -> Annotated[Product, strawberry.lazy("schema.types.products")] | None:
        if self.product_id is None:
            return None
        return ready(info.context.loaders.product, self.product_id)


@strawberry.type(description="A sale in progress, won or lost.")
class Deal(Node):
    id: strawberry.ID = global_id_field("Deal")
    name: str
    amount: Decimal | None = strawberry.field(
        description="Decimal string, in `currency`; null when not yet known."
    )
    currency: str = strawberry.field(description="ISO 4217 code, e.g. JPY.")
    closing_date: date | None
    description: str
    lost_reason: str = strawberry.field(
        description="Why the deal was lost (given when it moved to a lost stage); empty otherwise.")
    created_at: datetime
    modified_at: datetime
    owner: User = owner_field()
    is_type_of = model_type_check(DealModel)
    books: RecordBooks | None = books_field("deals")

    @strawberry.field(description="The deal's stage.")
    def stage(self, info: Info) -> Stage:
        return ready(info.context.loaders.stage, self.stage_id)

    @strawberry.field(description="The deal's account; null when none or not visible to you.")
    def account(
        self, info: Info
    ) -> Annotated[Account, strawberry.lazy("schema.types.accounts")] | None:
        if self.account_id is None:
            return None
        return ready(info.context.loaders.account, self.account_id)

    @strawberry.field(description="The contacts taking part that you may see, with their roles.")
    async def contacts(self, info: Info) -> list[DealContact]:
        pairs = await info.context.loaders.deal_contacts_by_deal.load(self.id)
        return [DealContact(contact=contact, role=role) for contact, role in pairs]

    @strawberry.field(description="The deal's line items, in order; when there are any, `amount` is their "
                      "total (quantity x unit price, rounded to the currency, less the discount).")
    def lines(self, info: Info) -> list[DealLine]:
        return ready(info.context.loaders.lines_by_deal, self.id)

    @strawberry.field(description="Tasks related to the deal that you may see.")
    def tasks(self, info: Info) -> list[Annotated[Task, strawberry.lazy("schema.types.activities")]]:
        return ready(info.context.loaders.tasks_by_related, (RelatedType.DEAL, self.id))

    @strawberry.field(description="Events related to the deal that you may see.")
    def events(
        self, info: Info
    ) -> list[Annotated[Event, strawberry.lazy("schema.types.activities")]]:
        return ready(info.context.loaders.events_by_related, (RelatedType.DEAL, self.id))


@strawberry.type(description="An amount summed in one currency.")
class MoneyTotal:
    amount: Decimal = strawberry.field(description="Decimal string.")
    currency: str


@strawberry.type(description="A column of the pipeline: a stage, how many of your deals are in it and "
                              "their total, and the first of them (the soonest to close first).")
class PipelineColumn:
    stage: Stage
    count: int
    totals: list[MoneyTotal] = strawberry.field(description="Per currency, the most used first.")
    deals: list[Deal]
