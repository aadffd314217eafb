"""Items: what an organization sells or buys, with its rate and consumption-tax rate."""

from __future__ import annotations

from decimal import Decimal
from tortoise.models import Model

from app.i18n import N_
from app.models import Item
from app.permissions import Principal
from app.services.organizations import OrganizationScoped
from app.services.records import Cleaned, RecordService
from app.services.tax import TAX_RATES


def tax_rate_problem(rate: Decimal | None) -> str | None:
    if rate is None or Decimal(rate) not in TAX_RATES:
        return N_("Choose a tax rate of 10%, 8% (reduced) or 0%.")
    return None


class ItemService(OrganizationScoped, RecordService):
    model = Item
    fields = ("name", "sku", "unit", "rate", "tax_rate", "description", "is_active", "organization_id")
    required = ("name",)

    async def validate(self, principal: Principal, cleaned: Cleaned, instance: Model | None) -> None:
        await super().validate(principal, cleaned, instance)
        values = cleaned.values
        if "rate" in values and values["rate"] is not None and values["rate"] < 0:
            cleaned.error("rate", N_("Enter zero or more."))
        if "tax_rate" in values and (problem := tax_rate_problem(values["tax_rate"])):
            cleaned.error("tax_rate", problem)
        sku = values.get("sku")
        org_id = values.get("organization_id") or getattr(instance, "organization_id", None)
        if sku and org_id:
            clash = Item.filter(organization_id=org_id, sku=sku)
            if instance is not None:
                clash = clash.exclude(id=instance.id)
            if await clash.exists():
                cleaned.error("sku", N_("Another item already uses this SKU."))


items = ItemService()
