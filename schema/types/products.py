"""Product: what the company sells; a deal's line items name them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from app.models import Product as ProductModel
from schema.types.books import decimal_field
from schema.types.node import Node, global_id_field, model_type_check
from schema.types.users import User, owner_field


@strawberry.type(description="A product or service the company sells, priced per unit.")
class Product(Node):
    id: strawberry.ID = global_id_field("Product")
    name: str
    code: str = strawberry.field(description="The product code (SKU); unique when given.")
    unit: str = strawberry.field(description="e.g. 個, 時間.")
    unit_price: Decimal = decimal_field("unit_price", "Decimal string, in `currency`.")
    currency: str = strawberry.field(description="ISO 4217 code, e.g. JPY.")
    tax_rate: Decimal = decimal_field("tax_rate", "Consumption-tax rate in percent: 10, 8 or 0.")
    description: str
    active: bool = strawberry.field(description="Inactive products are no longer offered on deals.")
    created_at: datetime
    modified_at: datetime
    owner: User = owner_field()
    is_type_of = model_type_check(ProductModel)
