"""Products: what the company sells, priced per unit, with the consumption-tax rate of Books
items (10%, 8% reduced, 0%). Deals take them as line items (app.services.deal_lines)."""

from __future__ import annotations

from decimal import Decimal

from tortoise.models import Model

from app import money
from app.i18n import N_
from app.models import Product
from app.permissions import Principal
from app.services.items import tax_rate_problem
from app.services.records import Cleaned, RecordService


# A product's price fits a Books item's rate (NUMERIC(18, 4): 14 digits before the point), so that
# every product can sync with Books: at most 14 + 2 digits, although the column holds 16 + 2.
PRICE_MAX_DIGITS = 16
PRICE_MAX = Decimal("99999999999999.99")


class ProductService(RecordService):
    model = Product
    fields = ("name", "code", "unit", "unit_price", "currency", "tax_rate", "description", "active")
    required = ("name",)

    async def coerce(self, principal: Principal, name: str, value, cleaned: Cleaned):
        if name == "currency":
            code = (value or "JPY").strip().upper() if isinstance(value, str) else "JPY"
            if code not in money.CURRENCIES:
                cleaned.error("currency", N_("Choose a supported currency."))
            return code
        value = await super().coerce(principal, name, value, cleaned)
        if name == "code" and isinstance(value, str):
            value = value.strip()
        return value

    async def validate(self, principal: Principal, cleaned: Cleaned, instance: Model | None) -> None:
        values = cleaned.values
        price = values.get("unit_price")
        currency = values.get("currency", getattr(instance, "currency", "JPY"))
        if price is not None and not cleaned.has_error("unit_price"):
            price = values["unit_price"] = Decimal(price)  # null: the column's default, an int
            if price < 0:
                cleaned.error("unit_price", N_("Enter zero or more."))
            elif price > PRICE_MAX:
                cleaned.error("unit_price", N_("Enter a number with at most %(digits)d digits before the decimal point."),
                              digits=PRICE_MAX_DIGITS - 2)
            elif currency in money.CURRENCIES and not money.fits_minor_unit(price, currency):
                cleaned.error("unit_price", N_("%(currency)s amounts allow %(digits)d decimal places."),
                              currency=currency, digits=money.minor_unit(currency))
        if "tax_rate" in values and (problem := tax_rate_problem(values["tax_rate"])):
            cleaned.error("tax_rate", problem)
        code = values.get("code")
        if code:
            # Unique among every product, whoever may see them: the code names one product.
            clash = Product.filter(code=code)
            if instance is not None:
                clash = clash.exclude(id=instance.id)
            if await clash.exists():
                cleaned.error("code", N_("Another product already uses this code."))


products = ProductService()
