"""Deals: amounts in a currency, a stage in the open/won/lost pipeline, contacts with roles."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.i18n import N_
from app import cleaning, money
from app.models import Contact, Deal, DealContact, Stage
from app.models.activities import RelatedType
from app.permissions import Principal, restrict
from app.services.activities import delete_activities_of
from app.services.records import Cleaned, RecordService

MAX_AMOUNT = Decimal("9999999999999999.99")  # DecimalField(max_digits=18, decimal_places=2)
ROLE_MAX = 50


class DealService(RecordService):
    model = Deal
    fields = (
        "name", "account_id", "amount", "currency", "stage_id", "closing_date", "description",
        "contacts",
    )
    required = ("name", "stage_id")

    async def coerce(self, principal: Principal, name: str, value: Any, cleaned: Cleaned) -> Any:
        if name == "contacts":
            return await self._coerce_contacts(principal, value or [], cleaned)
        if name == "currency":
            code = (value or "JPY").strip().upper() if isinstance(value, str) else "JPY"
            if code not in money.CURRENCIES:
                cleaned.error("currency", N_("Choose a supported currency."))
            return code
        return await super().coerce(principal, name, value, cleaned)

    async def _coerce_contacts(
        self, principal: Principal, items: list[dict], cleaned: Cleaned
    ) -> list[tuple[int, str]]:
        """[{contact_id, role}] -> [(id, role)]; each contact must be visible, at most once."""
        result: list[tuple[int, str]] = []
        wanted: dict[int, int] = {}
        for i, item in enumerate(items):
            cid = cleaning.pk(item.get("contact_id"))
            if cid is None:
                cleaned.error(f"contacts.{i}.contact_id", N_("Choose a valid record."))
                continue
            role = str(item.get("role") or "").strip()
            if len(role) > ROLE_MAX:
                cleaned.error(f"contacts.{i}.role", N_("Must be at most %(max)d characters (now %(length)d)."), max=ROLE_MAX, length=len(role))
            if cid in wanted:
                cleaned.error(f"contacts.{i}.contact_id", N_("This contact is listed twice."))
            wanted[cid] = i
            result.append((cid, role))
        if wanted:
            visible = set(
                await restrict(Contact.filter(id__in=list(wanted)), principal).values_list("id", flat=True)
            )
            for cid, i in wanted.items():
                if cid not in visible:
                    cleaned.error(f"contacts.{i}.contact_id", N_("Choose a valid record."))
        return result

    async def validate(self, principal: Principal, cleaned: Cleaned, instance: Deal | None) -> None:
        values = cleaned.values
        amount = values.get("amount", getattr(instance, "amount", None))
        currency = values.get("currency", getattr(instance, "currency", "JPY"))
        if amount is not None and not cleaned.has_error("amount") and currency in money.CURRENCIES:
            if amount < 0:
                cleaned.error("amount", N_("The amount cannot be negative."))
            elif amount > MAX_AMOUNT:
                cleaned.error("amount", N_("The amount is too large."))
            elif not money.fits_minor_unit(amount, currency):
                cleaned.error(
                    "amount", N_("%(currency)s amounts allow %(digits)d decimal places."),
                    currency=currency, digits=money.minor_unit(currency),
                )
        if "stage_id" in values and values["stage_id"] is not None:
            if not await Stage.exists(id=values["stage_id"]):
                cleaned.error("stage_id", N_("Choose a valid record."))

    async def save_related(self, principal, obj: Deal, values: dict, created: bool) -> None:
        if "contacts" not in values:
            return
        await DealContact.filter(deal_id=obj.id).delete()
        await DealContact.bulk_create(
            [DealContact(deal_id=obj.id, contact_id=cid, role=role) for cid, role in values["contacts"]]
        )

    async def before_delete(self, obj: Deal) -> None:
        await delete_activities_of(RelatedType.DEAL, obj.id)


deals = DealService()
